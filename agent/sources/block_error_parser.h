// Pure parsers for the block layer's and the buffer cache's error lines.
//
// Block layer (block/blk-core.c, later blk-mq.c), across generations:
//   2.6-3.x   "end_request: I/O error, dev sdb, sector 123"
//   3.x-4.17  "blk_update_request: critical medium error, dev sdb, sector 123"
//   4.18-4.19 "print_req_error: I/O error, dev sdb, sector 123"
//   4.20      "...: I/O error, dev sdb, sector 123 op 0x0 flags 0x..."
//   5.0-5.2   "...: I/O error, dev sdb, sector 123 flags 80700"
//   5.3-5.13  "blk_update_request: I/O error, dev sdb, sector 123
//              op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 0"
//   5.14+     "critical medium error, dev nvme0n1, sector 16384 op 0x0:(READ)
//              flags 0x0 phys_seg 1 prio class 2"
// The device is the whole disk (requests are remapped off partitions before
// they are issued); the sector is in 512-byte units. The line names no
// length: the range is one logical block of the device (length_exact false).
// Flush, discard, secure-erase and zone-management requests name no data
// and are kIgnored; "dev ?" is kIgnored.
//
// Buffer cache (fs/buffer.c buffer_io_error):
//   2.6-4.0 "Buffer I/O error on device sdb1, logical block 1234"
//   4.1+    "Buffer I/O error on dev sdb1, logical block 1234, async page read"
// The block is in units of the buffer size (the fs block size of a mounted
// filesystem, else the bdev's soft block size); without one from the caller
// 4096 is assumed and block_size_assumed/length_exact say so.
#ifndef MFR_AGENT_SOURCES_BLOCK_ERROR_PARSER_H_
#define MFR_AGENT_SOURCES_BLOCK_ERROR_PARSER_H_

#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"

namespace mfr::agent::sources {

// Each returns false (leaving *out untouched) if `message` is not of its
// family, else true with out->outcome set to kRange, kIgnored or kRejected.
bool ParseBlockLayerError(absl::string_view message,
                          const KernelErrorParserOptions& options,
                          KernelErrorParse* out);
bool ParseBufferIoError(absl::string_view message,
                        const KernelErrorParserOptions& options,
                        KernelErrorParse* out);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_BLOCK_ERROR_PARSER_H_
