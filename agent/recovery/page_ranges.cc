#include "agent/recovery/page_ranges.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"

namespace mfr::agent::recovery {

absl::StatusOr<ByteSpan> AlignOutward(const ByteSpan& range,
                                      uint64_t page_size) {
  if (page_size == 0 || (page_size & (page_size - 1)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page size ", page_size, " is not a power of two"));
  }
  absl::Status valid = ValidateSpan(range);
  if (!valid.ok()) return valid;
  const uint64_t mask = page_size - 1;
  const uint64_t start = range.offset & ~mask;
  if (range.end() > std::numeric_limits<uint64_t>::max() - mask) {
    return absl::InvalidArgumentError("range end rounds up past 2^64");
  }
  const uint64_t end = (range.end() + mask) & ~mask;
  return ByteSpan{start, end - start};
}

void AppendMerged(std::vector<ByteSpan>* spans, const ByteSpan& span) {
  if (span.length == 0) return;
  if (!spans->empty() && span.offset <= spans->back().end()) {
    ByteSpan& last = spans->back();
    last.length = std::max(last.end(), span.end()) - last.offset;
    return;
  }
  spans->push_back(span);
}

void AppendClipped(std::vector<ByteSpan>* spans, const ByteSpan& span,
                   const ByteSpan& clip) {
  std::optional<ByteSpan> part = Intersect(span, clip);
  if (part.has_value()) AppendMerged(spans, *part);
}

}  // namespace mfr::agent::recovery
