#include "common/byte_range.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace mfr {

absl::Status ValidateSpan(const ByteSpan& span, const char* what) {
  if (span.length == 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": length is 0"));
  }
  if (span.offset > std::numeric_limits<uint64_t>::max() - span.length) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": offset ", span.offset, " + length ", span.length,
                     " overflows 64 bits"));
  }
  return absl::OkStatus();
}

std::optional<ByteSpan> Intersect(const ByteSpan& a, const ByteSpan& b) {
  const uint64_t start = std::max(a.offset, b.offset);
  const uint64_t end = std::min(a.end(), b.end());
  if (start >= end) return std::nullopt;
  return ByteSpan{start, end - start};
}

}  // namespace mfr
