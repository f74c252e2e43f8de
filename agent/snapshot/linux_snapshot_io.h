// The Linux SnapshotIo: GETFSMAP, getdents64 and FIEMAP on a mounted
// filesystem.
//
// Contract:
// - OpenLinuxSnapshotIo opens `mount.mount_point` and checks that it is the
//   root of a mount (statx STATX_ATTR_MOUNT_ROOT, where the kernel reports
//   it) and, when `mount.dev` is set, that its st_dev is that device:
//   FailedPrecondition otherwise, so a snapshot never describes a filesystem
//   other than the one named. Errors opening it come back as errno statuses.
// - GETFSMAP is restricted to the device st_dev names (the data device).
// - DeviceSizeBytes reads <sysfs_root>/dev/block/MAJ:MIN/size (sectors of
//   512 bytes).
// - ForEachExtent opens the entry with O_NOFOLLOW | O_NONBLOCK (O_NOATIME
//   where permitted) relative to its directory and checks inode and device
//   with fstat before mapping it.
// The object owns one descriptor of the mount point. Thread-compatible.
#ifndef MFR_AGENT_SNAPSHOT_LINUX_SNAPSHOT_IO_H_
#define MFR_AGENT_SNAPSHOT_LINUX_SNAPSHOT_IO_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/snapshot/snapshot_io.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::snapshot {

struct LinuxSnapshotIoOptions {
  std::string host_root = "/";  // the mount point is opened under it
  std::string sysfs_root = "/sys";
  WalkOptions walk;
  FiemapOptions fiemap;
};

absl::StatusOr<std::unique_ptr<SnapshotIo>> OpenLinuxSnapshotIo(
    const mfr::v1::Mount& mount, const LinuxSnapshotIoOptions& options = {});

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_LINUX_SNAPSHOT_IO_H_
