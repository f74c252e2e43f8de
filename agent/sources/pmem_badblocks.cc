// Implementation of the pmem badblocks range math.
#include "agent/sources/pmem_badblocks.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/sources/kernel_error.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

absl::Status BadLine(size_t line_number, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("badblocks line ", line_number, ": ", why));
}

// One "<sector> <count>" line.
absl::Status ParseLine(absl::string_view line, size_t line_number,
                       ByteSpan* span) {
  uint64_t sector, count, offset, length;
  SkipBlanks(&line);
  if (!ConsumeDecimal(&line, &sector) || line.empty() ||
      (line[0] != ' ' && line[0] != '\t')) {
    return BadLine(line_number, "expected \"<sector> <count>\"");
  }
  SkipBlanks(&line);
  if (!ConsumeDecimal(&line, &count) || !TrimTrailing(line).empty()) {
    return BadLine(line_number, "expected \"<sector> <count>\"");
  }
  if (count == 0) return BadLine(line_number, "zero count");
  if (!CheckedMul(sector, kSectorBytes, &offset) ||
      !CheckedMul(count, kSectorBytes, &length) ||
      !IsValidRange(offset, length)) {
    return BadLine(line_number, "range overflows 64 bits");
  }
  *span = {offset, length};
  return absl::OkStatus();
}

// a minus b; both normalized.
std::vector<ByteSpan> Subtract(const std::vector<ByteSpan>& a,
                               const std::vector<ByteSpan>& b) {
  std::vector<ByteSpan> out;
  size_t j = 0;
  for (const ByteSpan& span : a) {
    uint64_t cur = span.offset;
    const uint64_t end = span.end();
    while (j < b.size() && b[j].end() <= cur) ++j;
    for (size_t k = j; k < b.size() && b[k].offset < end && cur < end; ++k) {
      if (b[k].offset > cur) out.push_back({cur, b[k].offset - cur});
      cur = std::max(cur, b[k].end());
    }
    if (cur < end) out.push_back({cur, end - cur});
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<ByteSpan>> ParseBadblocks(absl::string_view text) {
  if (text.size() > kMaxBadblocksTextBytes) {
    return absl::InvalidArgumentError("badblocks text too long");
  }
  std::vector<ByteSpan> spans;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const absl::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == absl::string_view::npos ? text.size() : nl + 1);
    ++line_number;
    if (TrimTrailing(line).empty()) continue;
    if (spans.size() >= kMaxBadblocksEntries) {
      return absl::InvalidArgumentError("badblocks has too many entries");
    }
    ByteSpan span;
    absl::Status status = ParseLine(line, line_number, &span);
    if (!status.ok()) return status;
    spans.push_back(span);
  }
  return NormalizeSpans(std::move(spans));
}

std::vector<ByteSpan> NormalizeSpans(std::vector<ByteSpan> spans) {
  spans.erase(std::remove_if(spans.begin(), spans.end(),
                             [](const ByteSpan& s) {
                               return !IsValidRange(s.offset, s.length);
                             }),
              spans.end());
  return Normalize(std::move(spans));
}

absl::Status ValidateLayout(const PmemNamespaceLayout& layout) {
  uint64_t end;
  if (layout.physical_start < layout.region_start) {
    return absl::InvalidArgumentError("namespace starts before its region");
  }
  if (!CheckedAdd(layout.physical_start, layout.size, &end)) {
    return absl::InvalidArgumentError("namespace end overflows");
  }
  if (layout.data_offset >= layout.size) {
    return absl::InvalidArgumentError("data offset beyond the namespace");
  }
  return absl::OkStatus();
}

std::optional<ByteSpan> PhysicalToNamespace(ByteSpan physical,
                                            const PmemNamespaceLayout& layout) {
  if (!ValidateLayout(layout).ok() ||
      !IsValidRange(physical.offset, physical.length)) {
    return std::nullopt;
  }
  const uint64_t data_start = layout.physical_start + layout.data_offset;
  const uint64_t data_end = layout.physical_start + layout.size;
  const uint64_t begin = std::max(physical.offset, data_start);
  const uint64_t end = std::min(physical.end(), data_end);
  if (begin >= end) return std::nullopt;
  return ByteSpan{begin - data_start, end - begin};
}

absl::StatusOr<std::vector<ByteSpan>> RegionToNamespace(
    const std::vector<ByteSpan>& region_spans,
    const PmemNamespaceLayout& layout) {
  absl::Status valid = ValidateLayout(layout);
  if (!valid.ok()) return valid;
  std::vector<ByteSpan> out;
  for (const ByteSpan& span : region_spans) {
    uint64_t physical;
    if (!CheckedAdd(layout.region_start, span.offset, &physical)) continue;
    std::optional<ByteSpan> mapped =
        PhysicalToNamespace({physical, span.length}, layout);
    if (mapped.has_value()) out.push_back(*mapped);
  }
  return NormalizeSpans(std::move(out));
}

std::optional<ByteSpan> PfnToNamespace(uint64_t pfn,
                                       const PmemNamespaceLayout& layout) {
  uint64_t physical;
  if (!CheckedMul(pfn, kPageBytes, &physical)) return std::nullopt;
  return PhysicalToNamespace({physical, kPageBytes}, layout);
}

BadblocksDiff DiffBadblocks(const std::vector<ByteSpan>& before,
                            const std::vector<ByteSpan>& after) {
  const std::vector<ByteSpan> b = NormalizeSpans(before);
  const std::vector<ByteSpan> a = NormalizeSpans(after);
  return {Subtract(a, b), Subtract(b, a)};
}

}  // namespace mfr::agent::sources
