// Implementation of the atomic state file.
#include "common/state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace mfr {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
}

absl::Status WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "write");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  const bool ok = fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  errno = saved;
  return ok ? absl::OkStatus() : Errno("fsync", dir);
}

}  // namespace

absl::StatusOr<std::optional<std::string>> ReadStateFile(
    const std::string& path, size_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return std::optional<std::string>();
  if (fd < 0) return Errno("open", path);
  std::string out;
  char buf[65536];
  absl::Status status;
  while (true) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Errno("read", path);
      break;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      status = absl::DataLossError(
          absl::StrCat(path, " is larger than ", max_bytes, " bytes"));
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (!status.ok()) return status;
  return std::optional<std::string>(std::move(out));
}

absl::Status WriteStateFile(const std::string& path,
                            absl::string_view content) {
  const std::string temp = path + ".tmp";
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", temp);
  absl::Status status = WriteAll(fd, content);
  if (status.ok() && fsync(fd) != 0) status = Errno("fsync", temp);
  close(fd);
  if (!status.ok()) return status;
  if (rename(temp.c_str(), path.c_str()) != 0) return Errno("rename to", path);
  return SyncDirectoryOf(path);
}

}  // namespace mfr
