// Pure step of topology collection: from parsed mountinfo and the scanned
// block devices to the mfr::v1::Mount messages of block-backed mounts.
//
// Contract:
// - Only entries whose major:minor is one of `devices` become mounts
//   (proc, tmpfs, cgroup, overlay, NFS ... are left out).
// - When several entries have the same mount point, the last one (the most
//   recently mounted: the kernel lists mounts in creation order) hides the
//   others, which are left out even if it is not block-backed.
// - fs_uuid and block_size_bytes are left empty: they need the live
//   filesystem (see filesystem_probe.h).
// - DAX mode comes from the options (see ParseDaxMode).
// Nothing here touches the OS.
#ifndef MFR_AGENT_TOPOLOGY_MOUNT_BUILDER_H_
#define MFR_AGENT_TOPOLOGY_MOUNT_BUILDER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "agent/topology/mountinfo_parser.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

// DAX mode from the per-mount and per-superblock option lists: "dax" or
// "dax=always" -> ALWAYS, "dax=inode" -> INODE, "dax=never" or no dax
// option -> NEVER. If several appear, the last one (super options are read
// after mount options) wins, as for the kernel's own option parsing.
mfr::v1::DaxMode ParseDaxMode(absl::string_view mount_options,
                              absl::string_view super_options);

// The mounts backed by one of `devices`, in mountinfo order.
std::vector<mfr::v1::Mount> BuildBlockMounts(
    const std::vector<MountInfoEntry>& entries,
    const std::vector<mfr::v1::BlockDevice>& devices);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_MOUNT_BUILDER_H_
