#include "agent/recovery/open_beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mfr::agent::recovery {

absl::Status ValidateRelativePath(absl::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("empty path");
  if (path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("path contains a NUL byte");
  }
  if (path.front() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("path \"", path, "\" is not relative"));
  }
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("path \"", path, "\" contains \"..\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ScopedFd> OpenBeneath(int dir_fd, absl::string_view path,
                                     int flags, int* error_number) {
  if (error_number != nullptr) *error_number = 0;
  absl::Status valid = ValidateRelativePath(path);
  if (!valid.ok()) return valid;
  const std::string rel(path);
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_NOFOLLOW | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
                RESOLVE_NO_MAGICLINKS;
  long fd = -1;
  for (int attempt = 0; attempt < 8; ++attempt) {  // EAGAIN: rename race
    fd = syscall(SYS_openat2, dir_fd, rel.c_str(), &how, sizeof(how));
    if (fd >= 0 || (errno != EINTR && errno != EAGAIN)) break;
  }
  if (fd < 0) {
    const int error = errno;
    if (error_number != nullptr) *error_number = error;
    return absl::ErrnoToStatus(error, absl::StrCat("openat2 ", rel));
  }
  return ScopedFd(static_cast<int>(fd));
}

}  // namespace mfr::agent::recovery
