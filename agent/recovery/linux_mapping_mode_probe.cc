#include "agent/recovery/linux_mapping_mode_probe.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agent/topology/mountinfo_parser.h"
#include "agent/topology/rooted_fs.h"

// Older libc/kernel headers lack these (values from include/uapi/linux).
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000
#endif

namespace mfr::agent::recovery {
namespace {

// The inode flag; false when the filesystem has no FS_IOC_FSGETXATTR.
absl::StatusOr<bool> InodeFlagDax(int fd) {
  struct fsxattr attr = {};
  if (ioctl(fd, FS_IOC_FSGETXATTR, &attr) == 0) {
    return (attr.fsx_xflags & FS_XFLAG_DAX) != 0;
  }
  if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL) return false;
  return absl::ErrnoToStatus(errno, "FS_IOC_FSGETXATTR");
}

}  // namespace

absl::StatusOr<DaxMountOption> LinuxMappingModeProbe::MountDaxOption(
    uint32_t dev_major, uint32_t dev_minor, const uint64_t* mount_id) const {
  absl::StatusOr<std::unique_ptr<topology::RootedFs>> proc =
      topology::RootedFs::Open(options_.proc_root);
  if (!proc.ok()) return proc.status();
  // The host's mounts: init's in a container (proc_root under --root),
  // falling back to self (this agent on the host, or a recorded tree).
  absl::StatusOr<std::string> text = (*proc)->ReadFile(
      options_.proc_root == "/proc" ? "self/mountinfo" : "1/mountinfo",
      topology::kMaxMountInfoBytes);
  if (absl::IsNotFound(text.status())) {
    text = (*proc)->ReadFile("self/mountinfo", topology::kMaxMountInfoBytes);
  }
  if (!text.ok()) return text.status();
  absl::StatusOr<topology::MountInfoTable> table =
      topology::ParseMountInfo(*text);
  if (!table.ok()) return table.status();
  for (const topology::MountInfoEntry& m : table->entries) {
    const bool match = mount_id != nullptr
                           ? m.mount_id == *mount_id
                           : m.major == dev_major && m.minor == dev_minor;
    if (match) return ParseDaxMountOption(m.mount_options, m.super_options);
  }
  return absl::NotFoundError(
      absl::StrCat("no mount of device ", dev_major, ":", dev_minor));
}

absl::StatusOr<MappingFacts> LinuxMappingModeProbe::CollectFacts(int fd) const {
  struct statx stx = {};
  if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
            STATX_TYPE | STATX_MNT_ID, &stx) != 0) {
    return absl::ErrnoToStatus(errno, "statx");
  }
  if (!S_ISREG(stx.stx_mode)) {
    return absl::InvalidArgumentError("not a regular file");
  }
  MappingFacts facts;
  facts.statx_knows_dax =
      options_.use_statx_dax && (stx.stx_attributes_mask & STATX_ATTR_DAX) != 0;
  facts.statx_dax = (stx.stx_attributes & STATX_ATTR_DAX) != 0;
  if (facts.statx_knows_dax) return facts;
  const uint64_t mount_id = stx.stx_mnt_id;
  absl::StatusOr<DaxMountOption> dax =
      MountDaxOption(stx.stx_dev_major, stx.stx_dev_minor,
                     (stx.stx_mask & STATX_MNT_ID) ? &mount_id : nullptr);
  if (!dax.ok()) return dax.status();
  facts.mount_dax = *dax;
  absl::StatusOr<bool> flag = InodeFlagDax(fd);
  if (!flag.ok()) return flag.status();
  facts.inode_flag_dax = *flag;
  return facts;
}

absl::StatusOr<MappingMode> LinuxMappingModeProbe::ModeOf(
    int fd, absl::string_view /*path*/) {
  absl::StatusOr<MappingFacts> facts = CollectFacts(fd);
  if (!facts.ok()) return facts.status();
  return DecideMappingMode(*facts);
}

}  // namespace mfr::agent::recovery
