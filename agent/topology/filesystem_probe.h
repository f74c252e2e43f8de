// FilesystemProbe: the narrow interface through which topology collection
// asks a live, mounted filesystem for what mountinfo does not say.
//
// Contract: Probe(mount_point) gets the mount point as mountinfo names it.
// On success it returns the filesystem's identity; a filesystem that has no
// uuid (or a kernel that cannot report one) gives an empty `uuid`, not an
// error. Errors (e.g. NotFound, PermissionDenied) mean nothing is known;
// the collector then leaves the fields empty and records a warning.
// Implementations must be safe to call from one thread at a time.
#ifndef MFR_AGENT_TOPOLOGY_FILESYSTEM_PROBE_H_
#define MFR_AGENT_TOPOLOGY_FILESYSTEM_PROBE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace mfr::agent::topology {

struct FsIdentity {
  // Lower-case "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" for a 16-byte uuid,
  // plain lower-case hex for another length; empty if unknown.
  std::string uuid;
  uint32_t block_size_bytes = 0;  // filesystem block size; 0 if unknown
};

class FilesystemProbe {
 public:
  virtual ~FilesystemProbe() = default;
  virtual absl::StatusOr<FsIdentity> Probe(const std::string& mount_point) = 0;
};

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_FILESYSTEM_PROBE_H_
