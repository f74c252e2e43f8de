// RewriteFromPageCache: saves the still-cached pages of a damaged file
// range by writing them back over the device, and lists what is lost.
//
// Contract:
// - `fd` (borrowed) is the damaged regular file, open O_RDWR, without
//   O_APPEND or O_DIRECT. `range` is in-file BYTES; it is widened to whole
//   pages, and must start before the end of the file (a range that runs
//   past EOF is cut at EOF).
// - A page is read only when it is resident, never from the device
//   (CachedPageReader: mmap + mincore + process_vm_readv, see its header
//   for why not preadv2(RWF_NOWAIT)). Bytes that were not read from the
//   cache are never written.
// - Each resident page is written back at once with pwrite (which dirties
//   it even if the bytes are identical, so writeback really sends it), then
//   one fdatasync; the range is dropped from the cache
//   (POSIX_FADV_DONTNEED) and read back with O_DIRECT through a second
//   descriptor (/proc/self/fd/N reopened); `verified` is true only when bytes
//   were written and every written byte read back equal.
// - `recovered` and `lost` are exact byte ranges clipped to `range`,
//   merged, in order; together they cover `range` up to EOF. With dry_run
//   nothing is written: `recovered` lists what would be.
// - What was done is logged, one line per step, to `log` (may be null).
// - Limits: the rewrite goes through the file, so on a reflinked (shared)
//   extent or an always-CoW file XFS writes elsewhere and the damaged
//   blocks stay with the other owners; a writer racing the rewrite could
//   have its newer bytes overwritten by the older cached copy (the window
//   is one page: each page is copied and written back immediately).
// - Errors: InvalidArgument (bad fd mode, range), FailedPrecondition
//   (range starts at/after EOF), or the failing syscall's errno. An error
//   after some pages were written still leaves them written (and logged).
// Thread-compatible.
#ifndef MFR_AGENT_RECOVERY_PAGE_CACHE_REWRITER_H_
#define MFR_AGENT_RECOVERY_PAGE_CACHE_REWRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/byte_range.h"

namespace mfr::agent::recovery {

// Larger requests are InvalidArgument: the written pages are kept in
// memory for the read-back check.
inline constexpr uint64_t kMaxRewriteBytes = 256ull << 20;

struct RewriteOptions {
  bool dry_run = false;
  std::ostream* log = nullptr;
  std::string label;  // names the file in log lines, e.g. its path
};

struct RewriteResult {
  std::vector<ByteSpan> recovered;   // rewritten from the cache
  std::vector<ByteSpan> lost;        // not cached: data loss
  std::vector<ByteSpan> mismatched;  // written, but read back different
  uint64_t bytes_written = 0;        // whole pages (up to EOF)
  bool verified = false;
};

absl::StatusOr<RewriteResult> RewriteFromPageCache(
    int fd, const ByteSpan& range, const RewriteOptions& options = {});

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_PAGE_CACHE_REWRITER_H_
