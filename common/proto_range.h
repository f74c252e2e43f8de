// Conversions between mfr.v1.ByteRange (the API's ranges) and ByteSpan
// (the range math in common/byte_range.h). Pure.
#ifndef MFR_COMMON_PROTO_RANGE_H_
#define MFR_COMMON_PROTO_RANGE_H_

#include <vector>

#include "common/byte_range.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "mfr/v1/types.pb.h"

namespace mfr {

inline ByteSpan SpanOf(const mfr::v1::ByteRange& r) {
  return {r.offset_bytes(), r.length_bytes()};
}

inline void SetRange(const ByteSpan& span, mfr::v1::ByteRange* r) {
  r->set_offset_bytes(span.offset);
  r->set_length_bytes(span.length);
}

// Appends one ByteRange per span.
inline void AddRanges(
    const std::vector<ByteSpan>& spans,
    google::protobuf::RepeatedPtrField<mfr::v1::ByteRange>* out) {
  for (const ByteSpan& s : spans) SetRange(s, out->Add());
}

}  // namespace mfr

#endif  // MFR_COMMON_PROTO_RANGE_H_
