// Conversions between absl::Time and google.protobuf.Timestamp. Pure.
#ifndef MFR_COMMON_PROTO_TIME_H_
#define MFR_COMMON_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace mfr {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  const timespec ts = absl::ToTimespec(t);
  google::protobuf::Timestamp out;
  out.set_seconds(ts.tv_sec);
  out.set_nanos(static_cast<int32_t>(ts.tv_nsec));
  return out;
}

inline absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace mfr

#endif  // MFR_COMMON_PROTO_TIME_H_
