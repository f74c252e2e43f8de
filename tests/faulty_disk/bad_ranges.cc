#include "tests/faulty_disk/bad_ranges.h"

#include <algorithm>

namespace mfr::faulty_disk {

absl::Status BadRanges::Add(const ByteSpan& span) {
  if (auto s = ValidateSpan(span, "bad range"); !s.ok()) return s;
  uint64_t start = span.offset;
  uint64_t end = span.end();
  // The first range that could touch: the last one starting at or before
  // `start`, if it reaches `start`.
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin() && std::prev(it)->second >= start) --it;
  while (it != ranges_.end() && it->first <= end) {
    start = std::min(start, it->first);
    end = std::max(end, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(start, end);
  return absl::OkStatus();
}

uint64_t BadRanges::Remove(const ByteSpan& span) {
  if (!ValidateSpan(span).ok()) return 0;
  const uint64_t start = span.offset;
  const uint64_t end = span.end();
  uint64_t cleared = 0;
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin() && std::prev(it)->second > start) --it;
  while (it != ranges_.end() && it->first < end) {
    const uint64_t bad_start = it->first;
    const uint64_t bad_end = it->second;
    cleared += std::min(end, bad_end) - std::max(start, bad_start);
    it = ranges_.erase(it);
    if (bad_start < start) ranges_.emplace(bad_start, start);
    if (bad_end > end) ranges_.emplace(end, bad_end);
  }
  return cleared;
}

bool BadRanges::Overlaps(const ByteSpan& span) const {
  if (!ValidateSpan(span).ok()) return false;
  auto it = ranges_.upper_bound(span.offset);
  if (it != ranges_.begin() && std::prev(it)->second > span.offset) {
    return true;
  }
  return it != ranges_.end() && it->first < span.end();
}

std::vector<ByteSpan> BadRanges::List() const {
  std::vector<ByteSpan> out;
  out.reserve(ranges_.size());
  for (const auto& [start, end] : ranges_) out.push_back({start, end - start});
  return out;
}

uint64_t BadRanges::bad_bytes() const {
  uint64_t total = 0;
  for (const auto& [start, end] : ranges_) total += end - start;
  return total;
}

}  // namespace mfr::faulty_disk
