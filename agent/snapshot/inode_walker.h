// Walks one filesystem's directory tree with getdents64, naming every inode.
//
// Contract:
// - `root_fd` is an open directory (the mount point); borrowed. The root
//   itself is reported first, with path "." and `dir_fd` == root_fd.
// - Every directory entry below it is reported once per path (hard links:
//   once under each name), with the inode from d_ino and the type from
//   d_type; only DT_UNKNOWN costs an fstatat. No stat per entry otherwise.
// - Paths are relative to the root, '/'-separated, without "./". Entries
//   whose path would exceed `max_path_bytes` are skipped and counted.
// - Never leaves the filesystem: directories are opened with openat2
//   RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS (mount points of any kind, bind
//   mounts included, are skipped and counted), or, where the kernel lacks
//   openat2, with O_NOFOLLOW plus an st_dev check. The mount-point entry
//   itself is still reported (its inode is the covered directory's).
// - Per-entry failures (unreadable or vanished directories) are counted in
//   WalkStats::errors, not fatal. A non-OK status from `on_entry` stops the
//   walk and is returned as is; a failure on the root is returned too.
// - Iterative: memory is one getdents buffer plus the names of the
//   subdirectories still to visit along the current path.
// Thread-compatible.
#ifndef MFR_AGENT_SNAPSHOT_INODE_WALKER_H_
#define MFR_AGENT_SNAPSHOT_INODE_WALKER_H_

#include <cstddef>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::snapshot {

enum class EntryType { kRegular, kDirectory, kOther };

struct WalkEntry {
  uint64_t inode = 0;
  EntryType type = EntryType::kOther;
  absl::string_view path;  // relative to the root; valid during the callback
  int dir_fd = -1;         // the containing directory, open during the callback
  absl::string_view name;  // the entry's name in dir_fd ("." for the root)
};

struct WalkOptions {
  size_t getdents_buffer_bytes = 256 * 1024;
  size_t max_path_bytes = 4095;  // PATH_MAX - 1
  // Test hook: behave as on kernels without openat2.
  bool test_hook_disable_openat2 = false;
};

struct WalkStats {
  uint64_t entries = 0;         // reported, the root included
  uint64_t directories = 0;     // read with getdents
  uint64_t errors = 0;          // entries or directories that could not be read
  uint64_t mount_points = 0;    // directories not entered: another mount
  uint64_t too_long = 0;        // skipped: path longer than max_path_bytes
  uint64_t stat_fallbacks = 0;  // DT_UNKNOWN entries resolved with fstatat
};

using WalkCallback = std::function<absl::Status(const WalkEntry&)>;

// `stats` may be null; it is reset at the start.
absl::Status WalkInodes(int root_fd, const WalkOptions& options,
                        const WalkCallback& on_entry, WalkStats* stats);

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_INODE_WALKER_H_
