// CheckOwnership: does the file the snapshot named still own the damaged
// physical range, right now? The agent asks before it kills or writes
// anything, so that a stale snapshot never makes it touch the wrong file.
//
// Contract:
// - Input: the mount point (absolute), a path relative to it (no "..",
//   never following a symlink or leaving the mount: see open_beneath.h),
//   the expected inode (and, if known, generation: FS_IOC_GETVERSION), an
//   in-file byte range and the physical byte offset (on the filesystem's
//   device) where that range is expected to start. All values are BYTES.
// - The file is opened (O_PATH first, so no device or FIFO is ever opened
//   for I/O), checked to be a regular file on the mount's st_dev with the
//   expected inode, then FIEMAP'ed WITHOUT FIEMAP_FLAG_SYNC (checking never
//   writes anything back). The range is owned when every byte of it lies in
//   written extents, at physical = physical_offset + (file offset -
//   file_range.offset).
// - Result: a verdict with a one-line reason. A stale owner (file gone,
//   other inode, moved extent, hole/unwritten/delalloc) is a verdict, not
//   an error. Errors are for bad input (InvalidArgument) and for failures
//   that say nothing about ownership (e.g. the mount point cannot be
//   opened, EACCES, EIO, FIEMAP unsupported).
// - When the verdict is kOk, `file` holds the file open with
//   `options.open_flags` (default O_RDONLY), so the action that follows
//   works on the very inode that was checked.
// - Never acts: no write, no sync, no signal. Thread-safe.
#ifndef MFR_AGENT_RECOVERY_OWNERSHIP_CHECK_H_
#define MFR_AGENT_RECOVERY_OWNERSHIP_CHECK_H_

#include <fcntl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "agent/snapshot/fiemap.h"
#include "common/byte_range.h"
#include "common/scoped_fd.h"

namespace mfr::agent::recovery {

struct OwnershipClaim {
  std::string mount_point;
  std::string relative_path;
  uint64_t inode = 0;
  std::optional<uint32_t> generation;  // checked when set
  // The file existed by then (the snapshot that named it): an inode born
  // later is a new file that reuses the number. Checked when set and the
  // filesystem reports birth times (statx STATX_BTIME: XFS v5, ext4).
  std::optional<absl::Time> existed_at;
  ByteSpan file_range;           // must be a valid span
  uint64_t physical_offset = 0;  // of file_range.offset
};

struct OwnershipCheckOptions {
  int open_flags = O_RDONLY;  // O_RDWR when a rewrite follows
};

enum class OwnershipVerdict {
  kOk,
  kFileGone,           // no such path (any more)
  kPathRefused,        // a symlink component, or the path leaves the mount
  kNotRegularFile,     // e.g. a symlink, directory or device now
  kOtherFilesystem,    // st_dev differs from the mount's
  kInodeDiffers,       // the path names another inode
  kGenerationDiffers,  // same inode number, recycled for a new file
  kExtentMoved,        // part of the range lives elsewhere now
  kHole,               // part of the range has no blocks (or is past EOF)
  kUnwritten,          // preallocated, reads as zeros: no data there
  kDelalloc,           // dirty data with no blocks yet
};

struct OwnershipResult {
  OwnershipVerdict verdict = OwnershipVerdict::kFileGone;
  std::string reason;
  uint64_t observed_inode = 0;  // 0 when nothing was opened
  bool shared = false;          // an extent in the range is reflinked
  ScopedFd file;                // only for kOk

  bool ok() const { return verdict == OwnershipVerdict::kOk; }
};

absl::StatusOr<OwnershipResult> CheckOwnership(
    const OwnershipClaim& claim, const OwnershipCheckOptions& options = {});

// Pure: how `extents` (FIEMAP order, as agent/snapshot/fiemap reports them:
// only extents with a physical address) cover `file_range` expected at
// `physical_offset`. kOk, kExtentMoved, kUnwritten, or kHole for the first
// byte no extent covers (the caller tells a hole from delalloc). `at` is
// the file offset of the first mismatch; `found_physical` where it lives.
struct MappingComparison {
  OwnershipVerdict verdict = OwnershipVerdict::kOk;
  uint64_t at = 0;
  uint64_t found_physical = 0;
  bool shared = false;
};
MappingComparison CompareMapping(
    const ByteSpan& file_range, uint64_t physical_offset,
    absl::Span<const snapshot::FileExtent> extents);

const char* OwnershipVerdictName(OwnershipVerdict verdict);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_OWNERSHIP_CHECK_H_
