// Depth-first getdents64 walk with an explicit stack of frames. Each
// directory is read to its end (entries reported as they come, the names of
// its subdirectories kept) before any of its subdirectories is opened, so
// only one directory is open and one getdents buffer is in use at a time.
#include "agent/snapshot/inode_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/scoped_fd.h"

namespace mfr::agent::snapshot {
namespace {

// The fixed part of the kernel's struct linux_dirent64.
struct DirentHeader {
  uint64_t d_ino;
  int64_t d_off;
  uint16_t d_reclen;
  uint8_t d_type;
};
constexpr size_t kNameOffset = offsetof(DirentHeader, d_type) + 1;

struct Frame {
  std::string path;                  // relative path; "" for the root
  std::vector<std::string> subdirs;  // names still to visit
  size_t next = 0;
};

EntryType TypeFromDtype(unsigned char d_type) {
  if (d_type == DT_REG) return EntryType::kRegular;
  if (d_type == DT_DIR) return EntryType::kDirectory;
  return EntryType::kOther;
}

EntryType TypeFromMode(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::kRegular;
  if (S_ISDIR(mode)) return EntryType::kDirectory;
  return EntryType::kOther;
}

void JoinPath(const std::string& dir, absl::string_view name,
              std::string* out) {
  out->assign(dir);
  if (!out->empty()) out->push_back('/');
  out->append(name.data(), name.size());
}

class Walker {
 public:
  Walker(int root_fd, const WalkOptions& options, const WalkCallback& on_entry,
         WalkStats* stats)
      : root_fd_(root_fd),
        options_(options),
        on_entry_(on_entry),
        stats_(stats),
        buffer_(new char[options.getdents_buffer_bytes]) {}

  absl::Status Run();

 private:
  absl::Status ReadDir(int fd, Frame* frame);
  absl::Status HandleEntry(int fd, const char* record, Frame* frame);
  ScopedFd OpenSubdir(const std::string& path);
  ScopedFd OpenSubdirWithoutOpenat2(const std::string& path);

  const int root_fd_;
  const WalkOptions& options_;
  const WalkCallback& on_entry_;
  WalkStats* const stats_;
  std::unique_ptr<char[]> buffer_;
  dev_t root_dev_ = 0;
  bool use_openat2_ = true;
  std::string path_;  // scratch: the current entry's path
};

absl::Status Walker::Run() {
  struct stat st;
  if (fstat(root_fd_, &st) != 0)
    return absl::ErrnoToStatus(errno, "fstat root");
  if (!S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError("root is not a directory");
  root_dev_ = st.st_dev;
  use_openat2_ = !options_.test_hook_disable_openat2;
  ++stats_->entries;
  absl::Status status = on_entry_(
      WalkEntry{st.st_ino, EntryType::kDirectory, ".", root_fd_, "."});
  if (!status.ok()) return status;
  // A descriptor of our own: getdents moves the file position.
  ScopedFd fd(openat(root_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, "open root");
  std::vector<Frame> stack(1);
  if (status = ReadDir(fd.get(), &stack.back()); !status.ok()) return status;
  fd.reset();
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.subdirs.size()) {
      stack.pop_back();
      continue;
    }
    Frame child;
    JoinPath(top.path, top.subdirs[top.next], &child.path);
    std::string().swap(top.subdirs[top.next++]);
    ScopedFd dir = OpenSubdir(child.path);
    if (!dir.valid()) continue;
    if (status = ReadDir(dir.get(), &child); !status.ok()) return status;
    if (!child.subdirs.empty()) stack.push_back(std::move(child));
  }
  return absl::OkStatus();
}

absl::Status Walker::ReadDir(int fd, Frame* frame) {
  ++stats_->directories;
  for (;;) {
    const long n = syscall(SYS_getdents64, fd, buffer_.get(),
                           options_.getdents_buffer_bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ++stats_->errors;
      return absl::OkStatus();
    }
    if (n == 0) return absl::OkStatus();
    for (long offset = 0; offset < n;) {
      const char* record = buffer_.get() + offset;
      uint16_t reclen;
      std::memcpy(&reclen, record + offsetof(DirentHeader, d_reclen),
                  sizeof(reclen));
      if (reclen == 0) return absl::InternalError("getdents64: empty record");
      absl::Status status = HandleEntry(fd, record, frame);
      if (!status.ok()) return status;
      offset += reclen;
    }
  }
}

absl::Status Walker::HandleEntry(int fd, const char* record, Frame* frame) {
  uint64_t inode;
  std::memcpy(&inode, record + offsetof(DirentHeader, d_ino), sizeof(inode));
  const unsigned char d_type =
      static_cast<unsigned char>(record[offsetof(DirentHeader, d_type)]);
  const absl::string_view name(record + kNameOffset);  // NUL-terminated
  if (name == "." || name == "..") return absl::OkStatus();
  JoinPath(frame->path, name, &path_);
  if (path_.size() > options_.max_path_bytes) {
    ++stats_->too_long;
    return absl::OkStatus();
  }
  EntryType type = TypeFromDtype(d_type);
  if (d_type == DT_UNKNOWN) {
    struct stat st;
    ++stats_->stat_fallbacks;
    if (fstatat(fd, name.data(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      ++stats_->errors;
      return absl::OkStatus();
    }
    type = TypeFromMode(st.st_mode);
  }
  ++stats_->entries;
  absl::Status status = on_entry_(WalkEntry{inode, type, path_, fd, name});
  if (!status.ok()) return status;
  if (type == EntryType::kDirectory) frame->subdirs.emplace_back(name);
  return absl::OkStatus();
}

ScopedFd Walker::OpenSubdir(const std::string& path) {
  if (!use_openat2_) return OpenSubdirWithoutOpenat2(path);
  struct open_how how = {};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
  how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd =
      syscall(SYS_openat2, root_fd_, path.c_str(), &how, sizeof(how));
  if (fd >= 0) return ScopedFd(static_cast<int>(fd));
  if (errno == ENOSYS) {
    use_openat2_ = false;
    return OpenSubdirWithoutOpenat2(path);
  }
  ++(errno == EXDEV ? stats_->mount_points : stats_->errors);
  return ScopedFd();
}

ScopedFd Walker::OpenSubdirWithoutOpenat2(const std::string& path) {
  ScopedFd fd(openat(root_fd_, path.c_str(),
                     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (!fd.valid() || fstat(fd.get(), &st) != 0) {
    ++stats_->errors;
    return ScopedFd();
  }
  if (st.st_dev != root_dev_) {
    ++stats_->mount_points;
    return ScopedFd();
  }
  return fd;
}

}  // namespace

absl::Status WalkInodes(int root_fd, const WalkOptions& options,
                        const WalkCallback& on_entry, WalkStats* stats) {
  if (options.getdents_buffer_bytes < 4096) {
    return absl::InvalidArgumentError("getdents buffer below 4096 bytes");
  }
  WalkStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  *stats = WalkStats();
  return Walker(root_fd, options, on_entry, stats).Run();
}

}  // namespace mfr::agent::snapshot
