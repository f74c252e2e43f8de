#include "agent/recovery/block_probe.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/scoped_fd.h"

namespace mfr::agent::recovery {

absl::StatusOr<std::vector<ByteSpan>> FindUnreadable(const ByteSpan& window,
                                                     uint64_t block,
                                                     uint64_t chunk,
                                                     const BlockReader& read,
                                                     ProbeStats* stats) {
  if (block == 0 || chunk == 0 || chunk % block != 0) {
    return absl::InvalidArgumentError("block and chunk sizes do not fit");
  }
  std::vector<ByteSpan> bad;
  auto try_read = [&](uint64_t offset,
                      uint64_t length) -> absl::StatusOr<bool> {
    ++stats->reads;
    stats->bytes_read += length;
    absl::Status s = read(offset, length);
    if (s.ok()) return true;
    if (absl::IsDataLoss(s)) return false;
    return s;
  };
  for (uint64_t at = window.offset; at < window.end();) {
    const uint64_t length = std::min(chunk, window.end() - at);
    auto whole = try_read(at, length);
    if (!whole.ok()) return whole.status();
    if (!*whole) {
      for (uint64_t b = at; b < at + length; b += block) {
        const uint64_t n = std::min(block, at + length - b);
        auto one = try_read(b, n);
        if (!one.ok()) return one.status();
        if (!*one) bad.push_back({b, n});
      }
    }
    at += length;
  }
  return Normalize(std::move(bad));
}

absl::StatusOr<DeviceProbeResult> ProbeDevice(
    const std::string& path, const ByteSpan& request,
    const DeviceProbeOptions& options) {
  if (auto s = ValidateSpan(request, "probe range"); !s.ok()) return s;
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("opening ", path));
  }
  int logical = 0;
  uint64_t size = 0;
  if (ioctl(fd.get(), BLKSSZGET, &logical) != 0 || logical <= 0 ||
      ioctl(fd.get(), BLKGETSIZE64, &size) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a block device"));
  }
  DeviceProbeResult result;
  result.block_bytes = static_cast<uint64_t>(logical);
  const uint64_t block = result.block_bytes;
  if (request.offset >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe starts at ", request.offset, ", past the end of ",
                     path, " (", size, " bytes)"));
  }
  const uint64_t start = request.offset / block * block;
  const uint64_t end = std::min(
      size, (std::min(request.end(), size) + block - 1) / block * block);
  result.window = {start, end - start};
  const uint64_t chunk = std::max(block, options.chunk_bytes / block * block);
  void* raw = nullptr;
  if (posix_memalign(&raw, 4096, chunk) != 0) {
    return absl::ResourceExhaustedError("no memory for the probe buffer");
  }
  std::unique_ptr<void, decltype(&free)> buffer(raw, &free);
  const absl::Time began = absl::Now();
  auto read = [&](uint64_t offset, uint64_t length) -> absl::Status {
    // Pace: never faster than max_bytes_per_second on average.
    if (options.max_bytes_per_second > 0) {
      const absl::Duration due =
          absl::Seconds(static_cast<double>(result.stats.bytes_read) /
                        static_cast<double>(options.max_bytes_per_second));
      const absl::Duration ahead = due - (absl::Now() - began);
      if (ahead > absl::ZeroDuration()) absl::SleepFor(ahead);
    }
    ssize_t n;
    do {
      n = pread(fd.get(), buffer.get(), length, static_cast<off_t>(offset));
    } while (n < 0 && errno == EINTR);
    if (n >= 0) return absl::OkStatus();
    if (errno == EIO || errno == ENODATA || errno == EILSEQ) {
      return absl::DataLossError("unreadable");
    }
    return absl::ErrnoToStatus(errno, absl::StrCat("reading ", path));
  };
  auto bad = FindUnreadable(result.window, block, chunk, read, &result.stats);
  if (!bad.ok()) return bad.status();
  result.unreadable = *std::move(bad);
  return result;
}

}  // namespace mfr::agent::recovery
