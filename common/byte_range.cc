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

std::vector<ByteSpan> Uncovered(const ByteSpan& range,
                                std::vector<ByteSpan> covered) {
  std::sort(
      covered.begin(), covered.end(),
      [](const ByteSpan& a, const ByteSpan& b) { return a.offset < b.offset; });
  std::vector<ByteSpan> gaps;
  uint64_t cursor = range.offset;
  for (const ByteSpan& c : covered) {
    if (c.end() <= cursor) continue;
    if (c.offset >= range.end()) break;
    if (c.offset > cursor) gaps.push_back({cursor, c.offset - cursor});
    cursor = std::max(cursor, c.end());
  }
  if (cursor < range.end()) gaps.push_back({cursor, range.end() - cursor});
  return gaps;
}

std::vector<ByteSpan> Normalize(std::vector<ByteSpan> spans) {
  std::sort(
      spans.begin(), spans.end(),
      [](const ByteSpan& a, const ByteSpan& b) { return a.offset < b.offset; });
  std::vector<ByteSpan> out;
  for (const ByteSpan& s : spans) {
    if (s.length == 0) continue;
    if (!out.empty() && s.offset <= out.back().end()) {
      out.back().length =
          std::max(out.back().end(), s.end()) - out.back().offset;
    } else {
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace mfr
