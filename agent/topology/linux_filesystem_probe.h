// LinuxFilesystemProbe: FilesystemProbe over the live kernel.
//
// uuid: ioctl(FS_IOC_GETFSUUID) on the mount point (Linux 6.5+; ENOTTY or
// EINVAL, as from filesystems that do not set a uuid, give an empty uuid).
// block size: statfs(2) f_bsize. The mount point is opened under `root`
// (default "/"), so an agent whose host filesystem sits at /host can be
// given root "/host"; root confinement is by path prefix only, because
// the paths come from the kernel's own mountinfo. Both calls can block on
// a hung device; call from a thread that may block. Thread-compatible.
#ifndef MFR_AGENT_TOPOLOGY_LINUX_FILESYSTEM_PROBE_H_
#define MFR_AGENT_TOPOLOGY_LINUX_FILESYSTEM_PROBE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/topology/filesystem_probe.h"

namespace mfr::agent::topology {

class LinuxFilesystemProbe : public FilesystemProbe {
 public:
  explicit LinuxFilesystemProbe(std::string root = "/")
      : root_(std::move(root)) {}

  absl::StatusOr<FsIdentity> Probe(const std::string& mount_point) override;

 private:
  std::string root_;
};

// Formats uuid bytes as FsIdentity::uuid describes. A nil (all-zero) uuid,
// as ext4 created without one reports, identifies nothing and gives "".
// Pure.
std::string FormatFsUuid(const uint8_t* bytes, size_t len);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_LINUX_FILESYSTEM_PROBE_H_
