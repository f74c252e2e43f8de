// Pure range math for pmem (NVDIMM) media errors.
//
// Inputs are the contents of sysfs files, never paths:
//   /sys/block/pmemN/badblocks             ranges on the block device pmemN
//   /sys/bus/nd/devices/regionN/badblocks  ranges relative to the region
// Both print "<sector> <count>\n" per range (block/badblocks.c
// badblocks_show), 512-byte sectors, at most 512 entries per table and one
// page of text. A region range is translated to a namespace's block device
// through the namespace's physical layout; a memory-failure page frame or a
// physical address likewise (drivers/nvdimm/pfn_devs.c: the block device's
// byte 0 is the namespace's physical start + data offset, the info block and
// the struct-page reservation of fsdax/devdax mode lying before it).
//
// Spans are [offset, offset + length) in bytes with length > 0 and no
// overflow. "Normalized" lists are sorted by offset with overlapping and
// adjacent spans merged. Everything is a pure function; thread-safe.
#ifndef MFR_AGENT_SOURCES_PMEM_BADBLOCKS_H_
#define MFR_AGENT_SOURCES_PMEM_BADBLOCKS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"

namespace mfr::agent::sources {

inline constexpr size_t kMaxBadblocksTextBytes = 64 * 1024;
inline constexpr size_t kMaxBadblocksEntries = 4096;

using ByteSpan = ::mfr::ByteSpan;

// Parses a badblocks file into normalized byte spans. Strict, because a
// skipped line would later read as "cleared": InvalidArgument for text over
// kMaxBadblocksTextBytes, more than kMaxBadblocksEntries lines, a line that
// is not two decimal numbers, a zero count, or an overflowing range. Blank
// lines are ignored; an empty file is an empty list.
absl::StatusOr<std::vector<ByteSpan>> ParseBadblocks(absl::string_view text);

// Sorts and merges; drops empty and overflowing spans.
std::vector<ByteSpan> NormalizeSpans(std::vector<ByteSpan> spans);

// Where a namespace lies (sysfs: the namespace's "resource" and "size", the
// region's "resource"; the data offset is the pfn/dax device's "resource"
// minus the namespace's, 0 in raw/sector mode).
struct PmemNamespaceLayout {
  uint64_t region_start = 0;    // physical address of the region
  uint64_t physical_start = 0;  // physical address of the namespace
  uint64_t size = 0;            // namespace size, data offset included
  uint64_t data_offset = 0;     // bytes before the block device's byte 0
};

// InvalidArgument if the namespace starts before its region, its end
// overflows, or data_offset >= size.
absl::Status ValidateLayout(const PmemNamespaceLayout& layout);

// Region-relative spans -> spans on the namespace's block device; parts
// outside the namespace's data area are dropped. Output normalized.
absl::StatusOr<std::vector<ByteSpan>> RegionToNamespace(
    const std::vector<ByteSpan>& region_spans,
    const PmemNamespaceLayout& layout);

// A physical span -> the part of it on the namespace's block device, or
// nullopt if it does not touch the data area (also on an invalid layout).
std::optional<ByteSpan> PhysicalToNamespace(ByteSpan physical,
                                            const PmemNamespaceLayout& layout);

// A memory-failure page frame (4096-byte pages) -> its namespace span.
std::optional<ByteSpan> PfnToNamespace(uint64_t pfn,
                                       const PmemNamespaceLayout& layout);

// What changed between two polls of the same badblocks list.
struct BadblocksDiff {
  std::vector<ByteSpan> added;    // bad now, not before: report these
  std::vector<ByteSpan> cleared;  // bad before, not now: repaired/cleared
};

// Set differences of the two lists (normalized first). Pure and exact:
// partial overlaps give partial spans.
BadblocksDiff DiffBadblocks(const std::vector<ByteSpan>& before,
                            const std::vector<ByteSpan>& after);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_PMEM_BADBLOCKS_H_
