// RootedFs: read-only access to files under a root directory, resolved as
// if that directory were "/" (for a recorded sysfs/proc tree, or "/" itself).
//
// Contract:
// - Paths are relative to the root ("sys/class/block/sdb/dev"); a leading
//   "/" is allowed and means the same thing.
// - Symlinks inside the tree are followed, absolute ones relative to the
//   root, and ".." never climbs above the root (openat2 RESOLVE_IN_ROOT), so
//   a hostile or recorded tree can never make a read escape it.
// - Errors: NotFound when the path does not exist, InvalidArgument for a
//   path with a NUL byte or a file larger than the caller's limit, other
//   codes mapped from errno.
// - Thread-safe: the object only holds an immutable directory descriptor.
#ifndef MFR_AGENT_TOPOLOGY_ROOTED_FS_H_
#define MFR_AGENT_TOPOLOGY_ROOTED_FS_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::topology {

// `path` (absolute, as the host names it) seen from this process when the
// host's root is mounted at `root` ("/": the path itself).
std::string HostPath(const std::string& root, const std::string& path);

// The host's mountinfo under `root`: the agent's own (proc/self) when it
// runs in the host's mount namespace (root "/"), else init's (proc/1: a
// container with hostPID sees the host's mounts there, its own under
// self). Readers fall back to proc/self when proc/1 is missing (a
// recorded tree).
std::string MountInfoPath(const std::string& root);

class RootedFs {
 public:
  // Largest file ReadFile returns by default; sysfs attributes fit a page.
  static constexpr size_t kDefaultMaxFileBytes = 64 * 1024;
  // Most entries ListDir returns; more is an error (hostile tree).
  static constexpr size_t kMaxDirEntries = 65536;

  // Opens `root` (a directory). Fails with the open(2) error mapped to a
  // Status, e.g. NotFound.
  static absl::StatusOr<std::unique_ptr<RootedFs>> Open(
      const std::string& root);

  ~RootedFs();
  RootedFs(const RootedFs&) = delete;
  RootedFs& operator=(const RootedFs&) = delete;

  // The whole content of a regular file; InvalidArgument if it is larger
  // than `max_bytes`.
  absl::StatusOr<std::string> ReadFile(
      absl::string_view path, size_t max_bytes = kDefaultMaxFileBytes) const;

  // Names in a directory, sorted, without ".", ".." and other names starting
  // with "." (recorded trees keep empty directories with a ".gitkeep").
  absl::StatusOr<std::vector<std::string>> ListDir(
      absl::string_view path) const;

  // True if `path` resolves to an existing directory.
  bool IsDir(absl::string_view path) const;

  const std::string& root() const { return root_; }

 private:
  RootedFs(std::string root, int root_fd)
      : root_(std::move(root)), fd_(root_fd) {}
  // Opens `path` under the root with openat2(RESOLVE_IN_ROOT); returns fd.
  absl::StatusOr<int> OpenInRoot(absl::string_view path, int flags) const;

  std::string root_;
  int fd_;
};

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_ROOTED_FS_H_
