// Implementation of LinuxFilesystemProbe.
#include "agent/topology/linux_filesystem_probe.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/topology/rooted_fs.h"

// Debian 12's kernel headers predate FS_IOC_GETFSUUID (Linux 6.5); the ABI
// is fixed, so define it here when missing.
#ifndef FS_IOC_GETFSUUID
struct fsuuid2 {
  __u8 len;
  __u8 uuid[16];
};
#define FS_IOC_GETFSUUID _IOR(0x15, 0, struct fsuuid2)
#endif

namespace mfr::agent::topology {
namespace {

// The uuid of the filesystem open at fd; empty if it has none or the
// kernel does not know the ioctl.
absl::StatusOr<std::string> GetFsUuid(int fd, const std::string& path) {
  struct fsuuid2 raw = {};
  if (ioctl(fd, FS_IOC_GETFSUUID, &raw) != 0) {
    if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP) return "";
    return absl::ErrnoToStatus(errno, absl::StrCat("FS_IOC_GETFSUUID ", path));
  }
  if (raw.len > sizeof(raw.uuid)) return "";
  return FormatFsUuid(raw.uuid, raw.len);
}

uint32_t BlockSize(const struct statfs& st) {
  if (st.f_bsize <= 0 || st.f_bsize > UINT32_MAX) return 0;
  return static_cast<uint32_t>(st.f_bsize);
}

absl::StatusOr<FsIdentity> StatfsOnly(const std::string& path) {
  struct statfs st;
  if (statfs(path.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("statfs ", path));
  }
  FsIdentity identity;
  identity.block_size_bytes = BlockSize(st);
  return identity;
}

}  // namespace

std::string FormatFsUuid(const uint8_t* bytes, size_t len) {
  std::string out;
  bool all_zero = true;
  for (size_t i = 0; i < len; ++i) all_zero = all_zero && bytes[i] == 0;
  if (all_zero) return out;
  for (size_t i = 0; i < len; ++i) {
    if (len == 16 && (i == 4 || i == 6 || i == 8 || i == 10)) out += '-';
    absl::StrAppendFormat(&out, "%02x", bytes[i]);
  }
  return out;
}

absl::StatusOr<FsIdentity> LinuxFilesystemProbe::Probe(
    const std::string& mount_point) {
  const std::string path = HostPath(root_, mount_point);
  FsIdentity identity;
  // O_DIRECTORY: never open a bind-mounted device node or FIFO, which could
  // have side effects; a bind-mounted regular file gets statfs only.
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 && errno == ENOTDIR) return StatfsOnly(path);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  absl::StatusOr<std::string> uuid = GetFsUuid(fd, path);
  struct statfs st;
  int statfs_rc = fstatfs(fd, &st);
  int statfs_errno = errno;
  close(fd);
  if (!uuid.ok()) return uuid.status();
  if (statfs_rc != 0) {
    return absl::ErrnoToStatus(statfs_errno, absl::StrCat("fstatfs ", path));
  }
  identity.uuid = *std::move(uuid);
  identity.block_size_bytes = BlockSize(st);
  return identity;
}

}  // namespace mfr::agent::topology
