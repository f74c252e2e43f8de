// Test-only: the recorded pmem layout of testdata/pmem_two_regions.tree
// (see testdata/README.md) materialized in a temporary directory, and the
// layout's numbers and address map, so tests state expectations in the
// layout's terms.
#ifndef MFR_AGENT_PMEM_RECORDED_TREE_H_
#define MFR_AGENT_PMEM_RECORDED_TREE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/pmem/pmem_address_map.h"

namespace mfr::agent::pmem::testing {

inline constexpr uint64_t kMiB = 1ull << 20;
inline constexpr uint64_t kGiB = 1ull << 30;
inline constexpr uint64_t kRegion0Start = 0x240000000;
inline constexpr uint64_t kPmem0DataStart = kRegion0Start + 2 * kMiB;
inline constexpr uint64_t kPmem0Bytes = 8 * kGiB - 2 * kMiB;
inline constexpr uint64_t kDevdaxDataStart = 0x440200000;
inline constexpr uint64_t kRegion1Start = 0x640000000;
inline constexpr uint64_t kPmem1Bytes = 16 * kGiB;

inline constexpr char kTreeSpec[] = "agent/pmem/testdata/pmem_two_regions.tree";
inline constexpr char kNdctlJson[] =
    "agent/pmem/testdata/ndctl_list_RN_media_errors.json";
inline constexpr char kRegion0Badblocks[] =
    "sys/bus/nd/devices/region0/badblocks";
inline constexpr char kRegion1Badblocks[] =
    "sys/bus/nd/devices/region1/badblocks";
inline constexpr char kPmem0Badblocks[] = "sys/block/pmem0/badblocks";
inline constexpr char kPmem1Badblocks[] = "sys/block/pmem1/badblocks";

// The tree's three namespaces as ParseNamespace gives them: fsdax pmem0
// and devdax namespace0.1 in region0, raw pmem1 in region1.
PmemAddressMap RecordedAddressMap();

// A fresh directory holding the tree; `name` labels it.
absl::StatusOr<std::string> MaterializeRecordedTree(const std::string& name);

// Replaces the file at `relative` (symlinks followed) under `root`.
absl::Status WriteTreeFile(const std::string& root, absl::string_view relative,
                           absl::string_view content);

}  // namespace mfr::agent::pmem::testing

#endif  // MFR_AGENT_PMEM_RECORDED_TREE_H_
