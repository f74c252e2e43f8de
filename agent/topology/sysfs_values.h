// Pure parsers for the text of single sysfs attribute files.
//
// Sysfs prints one value per file followed by "\n"; these functions accept
// surrounding ASCII whitespace and nothing else. Garbage, empty text,
// negative numbers and overflow give InvalidArgument; nothing here touches
// the OS. Sizes: the kernel reports "sectors" in 512-byte units whatever the
// device's block size, so sector counts become bytes by `SectorsToBytes`.
#ifndef MFR_AGENT_TOPOLOGY_SYSFS_VALUES_H_
#define MFR_AGENT_TOPOLOGY_SYSFS_VALUES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

inline constexpr uint64_t kSectorBytes = 512;

// The text with leading and trailing ASCII whitespace removed.
absl::string_view TrimSysfsText(absl::string_view text);

// A decimal unsigned 64-bit number, e.g. "65536\n".
absl::StatusOr<uint64_t> ParseSysfsUint(absl::string_view text);

// A decimal number that must fit in 32 bits, e.g. a block size "4096\n".
absl::StatusOr<uint32_t> ParseSysfsUint32(absl::string_view text);

// "major:minor\n" as in /sys/class/block/X/dev, e.g. "259:3".
absl::StatusOr<mfr::v1::DeviceNumber> ParseDevNumber(absl::string_view text);

// sectors * 512; OutOfRange if that overflows 64 bits.
absl::StatusOr<uint64_t> SectorsToBytes(uint64_t sectors);

// md/dev-X/slot: a role number, or "none" for a spare or failed member
// (returned as -1). Slots above INT32_MAX are InvalidArgument.
absl::StatusOr<int32_t> ParseMdSlot(absl::string_view text);

// md/raid_disks, md/chunk_size and md/layout read "new (old)" while a
// reshape is in progress (Documentation/admin-guide/md.rst).
struct MdGeometryValue {
  uint64_t value = 0;      // the new value
  bool reshaping = false;  // an "(old)" value followed
};
absl::StatusOr<MdGeometryValue> ParseMdGeometryValue(absl::string_view text);

// The whole-disk name of partition `number` called `partition_name`, by the
// kernel's naming rule (block/partitions/core.c add_partition): the disk
// name, then "p" if the disk name ends in a digit, then the number. So
// ("sdb1", 1) -> "sdb", ("nvme0n1p2", 2) -> "nvme0n1", ("md0p1", 1) -> "md0".
// InvalidArgument if the name does not end that way.
absl::StatusOr<std::string> PartitionParentName(
    absl::string_view partition_name, uint32_t number);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_SYSFS_VALUES_H_
