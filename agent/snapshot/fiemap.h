// FS_IOC_FIEMAP of one open file, in batches of extents.
//
// Contract:
// - `fd` is an open descriptor of a regular file (or a directory, on
//   filesystems that map those); borrowed, never closed.
// - The first ioctl sets FIEMAP_FLAG_SYNC so delayed-allocation data is
//   written and has blocks; later ones do not sync again.
// - Only extents with a physical address are reported: DATA_INLINE, UNKNOWN
//   and DELALLOC extents are skipped (counted in `skipped`). UNWRITTEN and
//   SHARED extents are reported with their flags.
// - All fields are BYTES. `on_batch` sees at most `extents_per_call`
//   extents per call, valid only during the call; a non-OK status from it
//   stops the scan and is returned as is.
// - Errors: Unimplemented when the file's filesystem or type has no FIEMAP
//   (EOPNOTSUPP, ENOTTY); otherwise the ioctl's errno as a status.
// Thread-compatible.
#ifndef MFR_AGENT_SNAPSHOT_FIEMAP_H_
#define MFR_AGENT_SNAPSHOT_FIEMAP_H_

#include <linux/fiemap.h>

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace mfr::agent::snapshot {

struct FileExtent {
  uint64_t logical = 0;   // offset in the file
  uint64_t physical = 0;  // offset on the filesystem's device
  uint64_t length = 0;
  uint32_t flags = 0;  // FIEMAP_EXTENT_*

  bool unwritten() const { return flags & FIEMAP_EXTENT_UNWRITTEN; }
  bool shared() const { return flags & FIEMAP_EXTENT_SHARED; }
};

struct FiemapOptions {
  uint32_t extents_per_call = 512;
  bool sync = true;  // FIEMAP_FLAG_SYNC on the first call
};

struct FiemapStats {
  uint64_t extents = 0;  // reported
  uint64_t skipped = 0;  // inline / unknown / delalloc / empty
  uint64_t calls = 0;    // ioctls
};

using ExtentBatchCallback =
    std::function<absl::Status(absl::Span<const FileExtent>)>;

// Pure: the extent as mfr reports it, or nullopt when it has no usable
// physical address (inline, unknown, delalloc, zero length, overflow).
std::optional<FileExtent> ExtentFromKernel(const struct fiemap_extent& e);

// `stats` may be null; it is added to, not reset.
absl::Status ForEachFileExtent(int fd, const FiemapOptions& options,
                               const ExtentBatchCallback& on_batch,
                               FiemapStats* stats);

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_FIEMAP_H_
