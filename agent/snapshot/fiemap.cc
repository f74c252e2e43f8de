// The FIEMAP loop: map from offset 0 to the end, continue after the last
// extent of each batch until FIEMAP_EXTENT_LAST or an empty answer.
#include "agent/snapshot/fiemap.h"

#include <linux/fs.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mfr::agent::snapshot {
namespace {

constexpr uint32_t kMaxExtentsPerCall = 1u << 16;
constexpr uint32_t kNoAddress =
    FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using FiemapPtr = std::unique_ptr<struct fiemap, FreeDeleter>;

FiemapPtr AllocateFiemap(uint32_t count) {
  const size_t size =
      sizeof(struct fiemap) + count * sizeof(struct fiemap_extent);
  return FiemapPtr(static_cast<struct fiemap*>(std::calloc(1, size)));
}

absl::Status IoctlError(int error) {
  if (error == EOPNOTSUPP || error == ENOTTY) {
    return absl::UnimplementedError("FIEMAP is not supported here");
  }
  return absl::ErrnoToStatus(error, "FS_IOC_FIEMAP");
}

// Maps [start, end of file); false with errno set on failure.
bool CallFiemap(int fd, uint64_t start, uint32_t flags, uint32_t count,
                struct fiemap* map) {
  map->fm_start = start;
  map->fm_length = FIEMAP_MAX_OFFSET - start;
  map->fm_flags = flags;
  map->fm_extent_count = count;
  map->fm_mapped_extents = 0;
  return ioctl(fd, FS_IOC_FIEMAP, map) == 0;
}

// Converts the mapped extents of one answer into `out`.
void CollectExtents(const struct fiemap& map, std::vector<FileExtent>* out,
                    FiemapStats* stats) {
  out->clear();
  for (uint32_t i = 0; i < map.fm_mapped_extents; ++i) {
    std::optional<FileExtent> extent = ExtentFromKernel(map.fm_extents[i]);
    if (extent.has_value()) {
      out->push_back(*extent);
    } else {
      ++stats->skipped;
    }
  }
  stats->extents += out->size();
}

}  // namespace

std::optional<FileExtent> ExtentFromKernel(const struct fiemap_extent& e) {
  if ((e.fe_flags & kNoAddress) || e.fe_length == 0) return std::nullopt;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (e.fe_physical > kMax - e.fe_length || e.fe_logical > kMax - e.fe_length) {
    return std::nullopt;
  }
  return FileExtent{e.fe_logical, e.fe_physical, e.fe_length, e.fe_flags};
}

absl::Status ForEachFileExtent(int fd, const FiemapOptions& options,
                               const ExtentBatchCallback& on_batch,
                               FiemapStats* stats) {
  const uint32_t count = options.extents_per_call;
  if (count == 0 || count > kMaxExtentsPerCall) {
    return absl::InvalidArgumentError(absl::StrCat(
        "extents_per_call must be in [1, ", kMaxExtentsPerCall, "]"));
  }
  FiemapStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  FiemapPtr map = AllocateFiemap(count);
  if (map == nullptr) return absl::ResourceExhaustedError("FIEMAP buffer");
  std::vector<FileExtent> batch;
  batch.reserve(count);
  uint64_t start = 0;
  uint32_t flags = options.sync ? FIEMAP_FLAG_SYNC : 0;
  for (;;) {
    ++stats->calls;
    if (!CallFiemap(fd, start, flags, count, map.get())) {
      return IoctlError(errno);
    }
    flags = 0;  // synced once is enough
    const uint32_t n = map->fm_mapped_extents;
    if (n == 0) return absl::OkStatus();
    CollectExtents(*map, &batch, stats);
    if (!batch.empty()) {
      absl::Status status = on_batch(batch);
      if (!status.ok()) return status;
    }
    const struct fiemap_extent& last = map->fm_extents[n - 1];
    if ((last.fe_flags & FIEMAP_EXTENT_LAST) || n < count) {
      return absl::OkStatus();
    }
    const uint64_t next = last.fe_logical + last.fe_length;
    if (next <= start) return absl::InternalError("FIEMAP did not advance");
    start = next;
  }
}

}  // namespace mfr::agent::snapshot
