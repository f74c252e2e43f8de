// The probe: which blocks of a device window cannot be read. A kernel
// "I/O error, dev D, sector S" line names only where the failed request
// started; the probe reads the window after it with O_DIRECT, a chunk at
// a time, and re-reads a chunk that fails one logical block at a time, so
// that healthy stretches cost one read per chunk and only failing chunks
// are narrowed. It never writes. Reads beyond `max_bytes_per_second` are
// paced, so a probe never saturates a sick disk.
#ifndef MFR_AGENT_RECOVERY_BLOCK_PROBE_H_
#define MFR_AGENT_RECOVERY_BLOCK_PROBE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/byte_range.h"

namespace mfr::agent::recovery {

// Reads [offset, offset + length): OK when readable, DataLoss when the
// device fails it (EIO), any other error ends the probe.
using BlockReader =
    std::function<absl::Status(uint64_t offset, uint64_t length)>;

struct ProbeStats {
  uint64_t reads = 0;
  uint64_t bytes_read = 0;
};

// Unreadable spans of `window` (block aligned by the caller), normalized.
// `block` and `chunk` > 0, chunk a multiple of block. Pure over `read`.
absl::StatusOr<std::vector<ByteSpan>> FindUnreadable(const ByteSpan& window,
                                                     uint64_t block,
                                                     uint64_t chunk,
                                                     const BlockReader& read,
                                                     ProbeStats* stats);

struct DeviceProbeOptions {
  uint64_t chunk_bytes = 64 << 10;
  uint64_t max_bytes_per_second = 256 << 20;
};

struct DeviceProbeResult {
  ByteSpan window;  // what was read: the request clipped to the device
                    // and widened to whole logical blocks
  uint64_t block_bytes = 0;
  std::vector<ByteSpan> unreadable;
  ProbeStats stats;
};

// Probes `request` of the block device at `path` (O_DIRECT, read-only).
// InvalidArgument when the request lies past the device's end.
absl::StatusOr<DeviceProbeResult> ProbeDevice(
    const std::string& path, const ByteSpan& request,
    const DeviceProbeOptions& options = {});

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_BLOCK_PROBE_H_
