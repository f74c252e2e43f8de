// Reads the block devices of a host (or a recorded tree) from sysfs into
// mfr::v1::BlockDevice messages.
//
// Layout read, relative to the RootedFs root (Documentation/ABI/stable/
// sysfs-block, Documentation/admin-guide/md.rst, Documentation/ABI/testing/
// sysfs-block-dm, drivers/block/loop.c):
//   sys/class/block/<name>/dev                  "major:minor"     (required)
//   sys/class/block/<name>/size                 512-byte sectors  (required)
//   .../queue/{logical,physical}_block_size     bytes; a partition's come
//                                               from its parent disk
//   .../wwid, device/wwid, serial, device/serial, device/uuid
//                                               first non-empty = stable_id;
//                                               a partition gets
//                                               "<parent id>-part<N>"
//   .../slaves/*, holders/*                     names
//   .../partition, start (sectors)              -> Partition; parent = the
//                                               disk directory it lives in
//   .../loop/{backing_file,offset,sizelimit}    -> LoopDevice (bytes)
//   .../md/{level,chunk_size,layout,raid_disks} -> MdArray, members from
//   .../md/dev-<member>/{slot,offset,state}        offset in sectors
//   .../dm/{name,uuid}                          -> DmTable (targets empty)
// sys/class/block/<name> may be a symlink into sys/devices (as on a live
// system) or a plain directory (a hand-made tree); both work.
//
// Errors: only an unreadable sys/class/block fails the scan. A device whose
// required attributes are missing or whose present attributes are malformed
// is left out and named in `errors` (a wrong layer description would
// translate ranges wrongly); a missing optional attribute leaves its field
// at the default. Thread-compatible; reads only.
#ifndef MFR_AGENT_TOPOLOGY_SYSFS_BLOCK_H_
#define MFR_AGENT_TOPOLOGY_SYSFS_BLOCK_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/topology/rooted_fs.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

// Most block devices read; more are left out and reported in `errors`.
inline constexpr size_t kMaxBlockDevices = 16384;

struct BlockDeviceScan {
  std::vector<mfr::v1::BlockDevice> devices;  // sorted by name
  std::vector<std::string> errors;            // "<name>: why it was left out"
  std::vector<std::string> warnings;          // "<name>: kept, but ..."
};

// Scans every entry of sys/class/block under `fs`'s root.
absl::StatusOr<BlockDeviceScan> ScanBlockDevices(const RootedFs& fs);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_SYSFS_BLOCK_H_
