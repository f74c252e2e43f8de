// Pure choice of the filesystems the agent snapshots (GETFSMAP/FIEMAP).
//
// Default (empty `wanted_mount_points`): every xfs and ext4 mount of
// `topology` backed by a block device, one per device: when a filesystem
// is mounted several times (bind mounts, the same fs mounted twice), keep
// the mount whose root is "/" (a whole-fs view, so every file has a path),
// then the shortest mount point, then the smallest.
//
// Explicit list: exactly those mount points (exact string match, each
// once, in the order given); one that is not a mount of `topology`, or not
// xfs/ext4, is InvalidArgument naming it.
//
// The result keeps `topology` order in the default case.
#ifndef MFR_AGENT_TOPOLOGY_SNAPSHOT_MOUNT_SELECTION_H_
#define MFR_AGENT_TOPOLOGY_SNAPSHOT_MOUNT_SELECTION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/topology/mount_builder.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

// True for the filesystem types mfr can snapshot: "xfs" and "ext4".
bool IsSnapshotFsType(const std::string& fs_type);

absl::StatusOr<std::vector<mfr::v1::Mount>> SelectSnapshotMounts(
    const mfr::v1::Topology& topology,
    const std::vector<std::string>& wanted_mount_points);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_SNAPSHOT_MOUNT_SELECTION_H_
