// LinuxMappingModeProbe: MappingModeProbe over the live kernel.
//
// Facts, in order (see DecideMappingMode in mapping_mode.h):
// 1. statx(fd, "", AT_EMPTY_PATH): STATX_ATTR_DAX in stx_attributes_mask
//    (every filesystem since Linux 5.8) makes stx_attributes the answer.
// 2. Otherwise the mount's dax option, from <proc_root>/self/mountinfo,
//    matched by statx mount id (STATX_MNT_ID) or else by st_dev, and the
//    inode flag FS_XFLAG_DAX (FS_IOC_FSGETXATTR; ENOTTY/EOPNOTSUPP: unset).
// Errors: InvalidArgument for a descriptor that is not a regular file;
// statx errors; NotFound when no mount matches; the mountinfo read error.
// Thread-compatible.
#ifndef MFR_AGENT_RECOVERY_LINUX_MAPPING_MODE_PROBE_H_
#define MFR_AGENT_RECOVERY_LINUX_MAPPING_MODE_PROBE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "agent/recovery/mapping_mode.h"

namespace mfr::agent::recovery {

struct LinuxMappingModeOptions {
  std::string proc_root = "/proc";
  // TEST HOOK: false ignores statx's DAX attribute, as on a kernel older
  // than 5.8, so the fallback path can run on this machine.
  bool use_statx_dax = true;
};

class LinuxMappingModeProbe : public MappingModeProbe {
 public:
  explicit LinuxMappingModeProbe(LinuxMappingModeOptions options = {})
      : options_(std::move(options)) {}

  absl::StatusOr<MappingMode> ModeOf(int fd, absl::string_view path) override;

  // The facts ModeOf decides from (for tests and logs).
  absl::StatusOr<MappingFacts> CollectFacts(int fd) const;

 private:
  absl::StatusOr<DaxMountOption> MountDaxOption(uint32_t dev_major,
                                                uint32_t dev_minor,
                                                const uint64_t* mount_id) const;

  LinuxMappingModeOptions options_;
};

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_LINUX_MAPPING_MODE_PROBE_H_
