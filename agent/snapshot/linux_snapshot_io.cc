// SnapshotIo over Linux syscalls: a thin shell around getfsmap.h, fiemap.h
// and inode_walker.h that pins them to one mounted filesystem.
#include "agent/snapshot/linux_snapshot_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/snapshot/dev_numbers.h"
#include "agent/topology/rooted_fs.h"
#include "common/scoped_fd.h"

namespace mfr::agent::snapshot {
namespace {

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, path);
  char buf[128];
  const ssize_t n = read(fd.get(), buf, sizeof(buf));
  if (n < 0) return absl::ErrnoToStatus(errno, path);
  return std::string(buf, n);
}

// Opens a walked entry without following links, blocking on FIFOs or
// updating atime (O_NOATIME needs ownership or CAP_FOWNER: retried without).
ScopedFd OpenEntry(const WalkEntry& entry) {
  const std::string name(entry.name);
  const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
  int fd = openat(entry.dir_fd, name.c_str(), flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = openat(entry.dir_fd, name.c_str(), flags);
  return ScopedFd(fd);
}

absl::Status CheckMountRoot(int fd, const std::string& path) {
  struct statx stx;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) != 0) {
    return absl::ErrnoToStatus(errno, "statx " + path);
  }
  if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
      !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
    return absl::FailedPreconditionError(path + " is not a mount point");
  }
  return absl::OkStatus();
}

class LinuxSnapshotIo : public SnapshotIo {
 public:
  LinuxSnapshotIo(ScopedFd root, dev_t dev, LinuxSnapshotIoOptions options)
      : root_(std::move(root)), dev_(dev), options_(std::move(options)) {}

  absl::StatusOr<uint64_t> DeviceSizeBytes() override {
    const std::string path =
        absl::StrCat(options_.sysfs_root, "/dev/block/", DevMajor(dev_), ":",
                     DevMinor(dev_), "/size");
    absl::StatusOr<std::string> text = ReadSmallFile(path);
    if (!text.ok()) return text.status();
    uint64_t sectors;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &sectors) ||
        sectors > (~0ull >> 9)) {
      return absl::DataLossError(absl::StrCat("bad size in ", path));
    }
    return sectors << 9;
  }

  absl::Status ForEachFsmapBatch(uint32_t records_per_call,
                                 const FsmapBatchCallback& on_batch) override {
    GetFsmapOptions options;
    options.device = EncodeFsmapDevice(DevMajor(dev_), DevMinor(dev_));
    options.records_per_call = records_per_call;
    return snapshot::ForEachFsmapBatch(root_.get(), options, on_batch);
  }

  absl::Status Walk(const WalkCallback& on_entry, WalkStats* stats) override {
    return WalkInodes(root_.get(), options_.walk, on_entry, stats);
  }

  absl::Status ForEachExtent(const WalkEntry& entry, const MapDecision& decide,
                             const ExtentBatchCallback& on_batch) override {
    ScopedFd fd = OpenEntry(entry);
    if (!fd.valid()) return absl::ErrnoToStatus(errno, entry.path);
    struct stat st;
    if (fstat(fd.get(), &st) != 0)
      return absl::ErrnoToStatus(errno, entry.path);
    if (st.st_ino != entry.inode || st.st_dev != dev_) {
      return absl::FailedPreconditionError(
          absl::StrCat(entry.path, " changed during the walk"));
    }
    if (!decide(FileFacts{st.st_ino, st.st_nlink})) return absl::OkStatus();
    return ForEachFileExtent(fd.get(), options_.fiemap, on_batch, nullptr);
  }

 private:
  ScopedFd root_;
  const dev_t dev_;
  const LinuxSnapshotIoOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SnapshotIo>> OpenLinuxSnapshotIo(
    const v1::Mount& mount, const LinuxSnapshotIoOptions& options) {
  if (mount.mount_point().empty() || mount.mount_point()[0] != '/') {
    return absl::InvalidArgumentError("mount point must be an absolute path");
  }
  const std::string path =
      topology::HostPath(options.host_root, mount.mount_point());
  ScopedFd root(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return absl::ErrnoToStatus(errno, "open " + path);
  if (absl::Status status = CheckMountRoot(root.get(), path); !status.ok()) {
    return status;
  }
  struct stat st;
  if (fstat(root.get(), &st) != 0) return absl::ErrnoToStatus(errno, path);
  const bool dev_given = mount.dev().major() != 0 || mount.dev().minor() != 0;
  if (dev_given &&
      st.st_dev != MakeDev(mount.dev().major(), mount.dev().minor())) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is on device ", DevMajor(st.st_dev), ":", DevMinor(st.st_dev),
        ", not ", mount.dev().major(), ":", mount.dev().minor()));
  }
  return std::unique_ptr<SnapshotIo>(
      new LinuxSnapshotIo(std::move(root), st.st_dev, options));
}

}  // namespace mfr::agent::snapshot
