// The GETFSMAP loop: ask for a batch, hand it on, continue after the last
// record (the fsmap ABI: fmh_keys[0] = last record) until FMR_OF_LAST.
#include "agent/snapshot/getfsmap.h"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"

namespace mfr::agent::snapshot {
namespace {

// Upper bound on records per ioctl: 1M records is 56 MB of buffer.
constexpr uint32_t kMaxRecordsPerCall = 1u << 20;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using HeadPtr = std::unique_ptr<struct fsmap_head, FreeDeleter>;

HeadPtr AllocateHead(uint32_t count) {
  auto* head =
      static_cast<struct fsmap_head*>(std::calloc(1, fsmap_sizeof(count)));
  if (head != nullptr) head->fmh_count = count;
  return HeadPtr(head);
}

// Low key: the start of the range on `device` (0: the first device).
// High key: everything up to `end` on `device` (all ones: the last device).
void InitKeys(const GetFsmapOptions& options, struct fsmap_head* head) {
  struct fsmap& low = head->fmh_keys[0];
  struct fsmap& high = head->fmh_keys[1];
  low.fmr_device = options.device;
  low.fmr_physical = options.start_bytes;
  high.fmr_device = options.device != 0 ? options.device : ~0u;
  high.fmr_flags = ~0u;
  high.fmr_physical = options.end_bytes;
  high.fmr_owner = ~0ull;
  high.fmr_offset = ~0ull;
}

absl::Status IoctlError(int error) {
  if (error == ENOTTY || error == EOPNOTSUPP) {
    return absl::UnimplementedError("GETFSMAP is not supported here");
  }
  return absl::ErrnoToStatus(error, "FS_IOC_GETFSMAP");
}

// Moves the records of `device` to the front; returns how many there are.
// Without FMH_OF_DEV_T, fmr_device is a cookie and nothing is dropped.
uint32_t KeepDevice(uint32_t device, struct fsmap_head* head) {
  const uint32_t n = head->fmh_entries;
  if (device == 0 || !(head->fmh_oflags & FMH_OF_DEV_T)) return n;
  uint32_t kept = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (head->fmh_recs[i].fmr_device != device) continue;
    if (kept != i) head->fmh_recs[kept] = head->fmh_recs[i];
    ++kept;
  }
  return kept;
}

}  // namespace

uint32_t EncodeFsmapDevice(uint32_t major, uint32_t minor) {
  return (minor & 0xffu) | (major << 8) | ((minor & ~0xffu) << 12);
}

absl::Status ForEachFsmapBatch(int fd, const GetFsmapOptions& options,
                               const FsmapBatchCallback& on_batch) {
  if (options.records_per_call < 2 ||
      options.records_per_call > kMaxRecordsPerCall) {
    return absl::InvalidArgumentError(absl::StrCat(
        "records_per_call must be in [2, ", kMaxRecordsPerCall, "]"));
  }
  if (options.start_bytes > options.end_bytes) {
    return absl::InvalidArgumentError("GETFSMAP range start after its end");
  }
  HeadPtr head = AllocateHead(options.records_per_call);
  if (head == nullptr) return absl::ResourceExhaustedError("GETFSMAP buffer");
  InitKeys(options, head.get());
  for (;;) {
    if (ioctl(fd, FS_IOC_GETFSMAP, head.get()) != 0) return IoctlError(errno);
    const uint32_t n = head->fmh_entries;
    if (n == 0) return absl::OkStatus();
    const struct fsmap last = head->fmh_recs[n - 1];
    const uint32_t kept = KeepDevice(options.device, head.get());
    if (kept > 0) {
      absl::Status status = on_batch(absl::MakeConstSpan(head->fmh_recs, kept));
      if (!status.ok()) return status;
    }
    if (last.fmr_flags & FMR_OF_LAST) return absl::OkStatus();
    head->fmh_keys[0] = last;
  }
}

}  // namespace mfr::agent::snapshot
