// Half-open byte ranges [offset, offset + length) and the checks every
// input range must pass. Pure; thread-compatible.
#ifndef MFR_COMMON_BYTE_RANGE_H_
#define MFR_COMMON_BYTE_RANGE_H_

#include <cstdint>
#include <optional>
#include <vector>

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

// The parts of `range` that no span of `covered` overlaps, in order.
std::vector<ByteSpan> Uncovered(const ByteSpan& range,
                                std::vector<ByteSpan> covered);

// Sorted by offset, overlapping and touching spans merged, empty ones
// dropped.
std::vector<ByteSpan> Normalize(std::vector<ByteSpan> spans);

}  // namespace mfr

#endif  // MFR_COMMON_BYTE_RANGE_H_
