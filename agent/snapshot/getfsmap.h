// FS_IOC_GETFSMAP over one filesystem, in large batches.
//
// Contract:
// - `fd` is any open descriptor on the filesystem (the mount point will do);
//   it is borrowed, never closed.
// - Records arrive in the kernel's order: by device, then physical offset,
//   then owner. Quantities are BYTES (struct fsmap, <linux/fsmap.h>).
// - Only records of `options.device` are reported (as the kernel encodes
//   dev_t in fmr_device: see EncodeFsmapDevice); the kernel is asked for that
//   device alone and anything else it returns is dropped.
// - Each call of `on_batch` sees one ioctl's worth (at most
//   `records_per_call`) of records; the span is valid only during the call.
//   A non-OK status from `on_batch` stops the scan and is returned as is.
// - Errors: Unimplemented when the filesystem has no GETFSMAP (ENOTTY,
//   EOPNOTSUPP); otherwise the ioctl's errno as a status.
// Memory: one buffer of records_per_call * 56 bytes. Thread-compatible.
#ifndef MFR_AGENT_SNAPSHOT_GETFSMAP_H_
#define MFR_AGENT_SNAPSHOT_GETFSMAP_H_

#include <linux/fsmap.h>

#include <cstdint>
#include <functional>
#include <limits>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace mfr::agent::snapshot {

struct GetFsmapOptions {
  // Device number as GETFSMAP reports it (EncodeFsmapDevice(major, minor)).
  uint32_t device = 0;
  // Records per ioctl; at least 2 (the kernel's minimum useful size).
  uint32_t records_per_call = 65536;
  // Physical byte range to report: records overlapping [start, end].
  uint64_t start_bytes = 0;
  uint64_t end_bytes = std::numeric_limits<uint64_t>::max();
};

using FsmapBatchCallback =
    std::function<absl::Status(absl::Span<const struct fsmap>)>;

// The kernel's new_encode_dev(): how XFS and ext4 fill fmr_device
// (FMH_OF_DEV_T). Equals the low 32 bits of glibc's makedev().
uint32_t EncodeFsmapDevice(uint32_t major, uint32_t minor);

absl::Status ForEachFsmapBatch(int fd, const GetFsmapOptions& options,
                               const FsmapBatchCallback& on_batch);

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_GETFSMAP_H_
