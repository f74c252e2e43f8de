// CachedPageReader: copies pages of a file out of the page cache, but only
// pages that are resident; it never makes the kernel read the device.
//
// Why not preadv2(RWF_NOWAIT)? Measured on this machine kind (Linux 6.18,
// XFS on a loop device, device read counters in /sys/block/loopN/stat):
// - on a page that is not cached it returns EAGAIN but has already queued
//   a read of that page from the device (the page is cached afterwards, so
//   a retry "succeeds" with whatever the bad device returned);
// - on a resident page that carries the readahead marker it starts async
//   readahead of the following non-resident pages (hundreds of KiB), with
//   or without POSIX_FADV_RANDOM on the descriptor;
// - a range with a resident head returns a short read, and also queues
//   reads of the missing tail.
// RWF_NOWAIT means "do not block", not "do not do I/O".
//
// What this does instead (measured: zero device reads):
// - the page range is mapped PROT_READ, MAP_SHARED, with MADV_RANDOM (no
//   fault readahead); the mapping is never touched directly;
// - mincore(2) tells which pages are resident and up to date (no I/O);
// - a resident page is copied with process_vm_readv(2) from our own
//   address space: should the page have been evicted meanwhile, the fault
//   would read the device, but an I/O error becomes EFAULT (never SIGBUS),
//   and the thread's major-fault count (getrusage RUSAGE_THREAD) rises, so
//   the copy is discarded and the page reported as not resident.
// A page in the cache may itself have been read from the device after it
// went bad (e.g. a silent corruption): nothing in the kernel can tell.
//
// Units are BYTES; the page range must be page aligned. Thread-compatible;
// the object owns its mapping.
#ifndef MFR_AGENT_RECOVERY_CACHED_PAGE_READER_H_
#define MFR_AGENT_RECOVERY_CACHED_PAGE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/byte_range.h"

namespace mfr::agent::recovery {

class CachedPageReader {
 public:
  // Maps `pages` of `fd` (borrowed; open for reading). `pages` must be page
  // aligned and must not start at or past `file_size`; its tail past the
  // page holding the last byte is not mapped.
  static absl::StatusOr<std::unique_ptr<CachedPageReader>> Map(
      int fd, const ByteSpan& pages, uint64_t file_size);
  ~CachedPageReader();
  CachedPageReader(const CachedPageReader&) = delete;
  CachedPageReader& operator=(const CachedPageReader&) = delete;

  // One entry per mapped page: resident and up to date now. No I/O.
  absl::StatusOr<std::vector<bool>> Residency() const;

  // Copies page `index` (0 = the first mapped page) into `*out`: a whole
  // page, or up to EOF for the last one. false, with `*out` cleared, when
  // the copy needed the device or failed.
  bool CopyIfResident(size_t index, std::string* out) const;

  size_t page_count() const { return page_count_; }
  uint64_t page_size() const { return page_size_; }
  // File offset of page `index`.
  uint64_t PageOffset(size_t index) const;

 private:
  CachedPageReader(void* base, uint64_t offset, size_t page_count,
                   uint64_t page_size, uint64_t file_size)
      : base_(base),
        offset_(offset),
        page_count_(page_count),
        page_size_(page_size),
        file_size_(file_size) {}

  void* base_;
  uint64_t offset_;
  size_t page_count_;
  uint64_t page_size_;
  uint64_t file_size_;
};

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_CACHED_PAGE_READER_H_
