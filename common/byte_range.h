// Half-open byte ranges [offset, offset + length) and the checks every
// input range must pass. Pure; thread-compatible.
#ifndef MFR_COMMON_BYTE_RANGE_H_
#define MFR_COMMON_BYTE_RANGE_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"

namespace mfr {

struct ByteSpan {
  uint64_t offset = 0;
  uint64_t length = 0;

  // One past the last byte. Only meaningful for a validated span.
  uint64_t end() const { return offset + length; }
  bool operator==(const ByteSpan& o) const {
    return offset == o.offset && length == o.length;
  }
};

// OK when length > 0 and offset + length does not overflow 2^64;
// InvalidArgument naming `what` otherwise.
absl::Status ValidateSpan(const ByteSpan& span, const char* what = "range");

// The overlap of two valid spans, or nullopt when they do not overlap.
std::optional<ByteSpan> Intersect(const ByteSpan& a, const ByteSpan& b);

}  // namespace mfr

#endif  // MFR_COMMON_BYTE_RANGE_H_
