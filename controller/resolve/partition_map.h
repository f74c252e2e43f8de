// Partition layer: a range on a whole disk -> ranges on its partitions.
//
// A partition is the window [start, start + size) of its parent disk, and
// byte start + i of the disk is byte i of the partition. A range that
// straddles two partitions splits into one piece per partition; the parts in
// no partition (partition table, gaps, the end of the disk) are left out of
// the result, for the driver to report as unmapped. Overlapping partitions
// (an msdos extended partition's 1 KiB stub over its first logical one) each
// get their piece. Partitions of size 0 cover nothing. Units: bytes.
//
// Errors: InvalidArgument for an invalid range (length 0, offset + length
// overflowing) or a partition whose start + size overflows. Pure;
// thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_PARTITION_MAP_H_
#define MFR_CONTROLLER_RESOLVE_PARTITION_MAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/byte_range.h"
#include "controller/resolve/layer_mapping.h"

namespace mfr::controller::resolve {

struct PartitionExtent {
  std::string name;          // kernel name, e.g. "sdb1"
  uint32_t number = 0;       // partition number, e.g. 1
  uint64_t start_bytes = 0;  // offset on the parent disk
  uint64_t size_bytes = 0;   // 0: covers nothing
};

// One UpPiece per overlapped partition, in the order of `partitions`; the
// note reads "partition N, start S". `stop` stays empty.
absl::StatusOr<LayerMapping> MapDiskToPartitions(
    const std::vector<PartitionExtent>& partitions, const ByteSpan& range);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_PARTITION_MAP_H_
