// Implementation of RootedFs over openat2(2) with RESOLVE_IN_ROOT.
#include "agent/topology/rooted_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mfr::agent::topology {

std::string HostPath(const std::string& root, const std::string& path) {
  if (root.empty() || root == "/") return path;
  return absl::StrCat(root, path.empty() || path[0] != '/' ? "/" : "", path);
}

std::string MountInfoPath(const std::string& root) {
  return root.empty() || root == "/" ? "proc/self/mountinfo"
                                     : "proc/1/mountinfo";
}

namespace {

// Strips leading slashes: openat2 with RESOLVE_IN_ROOT treats "/x" as the
// root's "x" anyway, but an empty path must become ".".
std::string RelativePath(absl::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path.empty() ? std::string(".") : std::string(path);
}

// Closes a descriptor when it goes out of scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RootedFs>> RootedFs::Open(
    const std::string& root) {
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("open root ", root));
  }
  return std::unique_ptr<RootedFs>(new RootedFs(root, fd));
}

RootedFs::~RootedFs() { close(fd_); }

absl::StatusOr<int> RootedFs::OpenInRoot(absl::string_view path,
                                         int flags) const {
  if (path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("path contains a NUL byte");
  }
  const std::string rel = RelativePath(path);
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // RESOLVE_IN_ROOT returns EAGAIN when a concurrent rename races the
  // lookup; retry a few times rather than forever.
  long fd = -1;
  for (int attempt = 0; attempt < 8; ++attempt) {
    fd = syscall(SYS_openat2, fd_, rel.c_str(), &how, sizeof(how));
    if (fd >= 0 || (errno != EINTR && errno != EAGAIN)) break;
  }
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(root_, ":", rel));
  }
  return static_cast<int>(fd);
}

absl::StatusOr<std::string> RootedFs::ReadFile(absl::string_view path,
                                               size_t max_bytes) const {
  // O_NONBLOCK: a FIFO planted in a recorded tree must not hang the agent.
  absl::StatusOr<int> fd = OpenInRoot(path, O_RDONLY | O_NONBLOCK);
  if (!fd.ok()) return fd.status();
  FdCloser closer(*fd);
  struct stat st;
  if (fstat(*fd, &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("fstat ", path));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a file"));
  }
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = read(*fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("read ", path));
    if (n == 0) return out;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": larger than ", max_bytes, " bytes"));
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::vector<std::string>> RootedFs::ListDir(
    absl::string_view path) const {
  absl::StatusOr<int> fd = OpenInRoot(path, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) return fd.status();
  DIR* dir = fdopendir(*fd);
  if (dir == nullptr) {
    int err = errno;
    close(*fd);
    return absl::ErrnoToStatus(err, absl::StrCat("fdopendir ", path));
  }
  std::vector<std::string> names;
  absl::Status status;
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    if (names.size() >= kMaxDirEntries) {
      status = absl::ResourceExhaustedError(
          absl::StrCat(path, ": more than ", kMaxDirEntries, " entries"));
      break;
    }
    names.emplace_back(entry->d_name);
  }
  closedir(dir);  // Also closes *fd.
  if (!status.ok()) return status;
  std::sort(names.begin(), names.end());
  return names;
}

bool RootedFs::IsDir(absl::string_view path) const {
  absl::StatusOr<int> fd = OpenInRoot(path, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) return false;
  close(*fd);
  return true;
}

}  // namespace mfr::agent::topology
