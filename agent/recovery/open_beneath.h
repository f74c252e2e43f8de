// OpenBeneath: opens a path relative to a directory without ever leaving
// it: no "..", no symbolic link in any component (the last one included),
// no crossing into another mount, no /proc magic links. Uses openat2(2)
// (Linux 5.6+) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV
// | RESOLVE_NO_MAGICLINKS, plus O_NOFOLLOW | O_CLOEXEC.
//
// Errors: InvalidArgument from ValidateRelativePath; otherwise the errno of
// openat2 as a status: NotFound (ENOENT, ENOTDIR on the way), ELOOP
// (a symlink component) and EXDEV (another mount) keep their errno in the
// message and map to absl codes as absl::ErrnoToStatus does; use
// `*error_number` to tell them apart. Thread-safe.
#ifndef MFR_AGENT_RECOVERY_OPEN_BENEATH_H_
#define MFR_AGENT_RECOVERY_OPEN_BENEATH_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/scoped_fd.h"

namespace mfr::agent::recovery {

// OK for a non-empty relative path without NUL bytes and without a ".."
// component; "." components and repeated '/' are harmless and allowed.
absl::Status ValidateRelativePath(absl::string_view path);

// `flags` are open(2) flags (e.g. O_PATH, O_RDONLY); `error_number` (may be
// null) receives the errno of a failed openat2, 0 otherwise.
absl::StatusOr<ScopedFd> OpenBeneath(int dir_fd, absl::string_view path,
                                     int flags, int* error_number);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_OPEN_BENEATH_H_
