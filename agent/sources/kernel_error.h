// What the kernel-message parsers produce: a damaged range named by one
// kernel log message, or why a recognized message gave none.
//
// Units: every offset and length is in bytes. A "sector" in a kernel message
// is 512 bytes whatever the device's block size (DESIGN.md "Range"); other
// units (fs blocks, logical blocks, page frames) are converted by the parser
// that knows them. A produced range always has length > 0 and
// offset + length <= 2^64 - 1; a message that would break that is kRejected.
//
// Block sizes the kernel line does not give come from KernelErrorParserOptions
// callbacks; a callback may be empty or answer 0 for "unknown". Thread-safety:
// the types are plain values; the callbacks must be safe to call from the
// parsing thread.
#ifndef MFR_AGENT_SOURCES_KERNEL_ERROR_H_
#define MFR_AGENT_SOURCES_KERNEL_ERROR_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::sources {

// Kernel log messages longer than this are rejected unparsed.
inline constexpr size_t kMaxKernelMessageBytes = 4096;
// Buffer I/O and ext4 blocks are counted in this size when the caller does
// not know the device's block size (block_size_assumed is then set).
inline constexpr uint32_t kAssumedFsBlockBytes = 4096;
inline constexpr uint64_t kPageBytes = 4096;

// Which kernel format matched.
enum class KernelErrorFormat {
  kBlockLayer,     // "<kind> error, dev D, sector S ..." and older prefixes
  kBufferIo,       // "Buffer I/O error on dev D, logical block N"
  kMd,             // md raid1/10/4/5/6 read-error lines
  kMemoryFailure,  // "Memory failure: 0x<pfn>: ...", old "MCE 0x<pfn>: ..."
  kMce,            // "mce: [Hardware Error]: ... ADDR <hex> ..."
  kGhes,           // "[Hardware Error]: physical_address: 0x..."
  kXfs,            // "XFS (D): metadata I/O error ...", verifier errors
  kExt4,           // "EXT4-fs error (device D): ... block N ..."
  kIomap,          // "D: writeback error on inode I, offset O, sector S"
};

// What the range is an offset on.
enum class KernelErrorTarget {
  kDevice,           // `device`, a kernel block device name
  kPhysicalAddress,  // a host physical address (no device); see pmem
};

// The operation of a failed block request, where the line says.
enum class BlockOp { kUnknown, kRead, kWrite, kOtherData, kNonData };

struct KernelError {
  KernelErrorFormat format = KernelErrorFormat::kBlockLayer;
  KernelErrorTarget target = KernelErrorTarget::kDevice;
  std::string device;         // as named in the message; empty if physical
  uint64_t offset_bytes = 0;  // on `device`, or a physical address
  uint64_t length_bytes = 0;  // > 0
  bool length_exact = false;  // false: an estimate (e.g. one logical block)
  bool block_size_assumed = false;  // fs-block units converted with 4096
  mfr::v1::ErrorKind kind = mfr::v1::ERROR_KIND_UNSPECIFIED;
  absl::string_view what;  // static text, e.g. "critical medium error"
  // The kernel repaired it (md rewrote from redundancy, a corrected memory
  // error): never an incident on its own.
  bool corrected = false;
  // The kernel status (or the SCSI sense of the same request) names a cause
  // other than damaged media: timeout, transport, resource, offline, illegal
  // request, ... Callers should count these, not report them.
  bool non_media = false;
  BlockOp op = BlockOp::kUnknown;
  std::string md_array;   // md lines: the array, e.g. "md0"
  std::string md_member;  // md lines: the member, e.g. "sdb1"
};

enum class ParseOutcome {
  kNoMatch,   // not a format we know: nothing to count
  kRange,     // `error` is filled in
  kIgnored,   // a known error format that names no damaged range (a flush,
              // a discard, device "?", an md line without the array name)
  kRejected,  // a known format, but malformed or hostile (overflow, bad
              // device name, over-long): count it
};

struct KernelErrorParse {
  ParseOutcome outcome = ParseOutcome::kNoMatch;
  KernelError error;
  absl::string_view reason;  // static text for kIgnored / kRejected
};

struct KernelErrorParserOptions {
  // The device's logical block size in bytes (sysfs
  // queue/logical_block_size); 0 or empty: unknown, 512 is used.
  std::function<uint32_t(absl::string_view device)> logical_block_bytes;
  // The block size of buffers on the device: the mounted filesystem's block
  // size, else the block device's soft block size; 0 or empty: unknown.
  std::function<uint32_t(absl::string_view device)> fs_block_bytes;
};

// ----------------------------------------------- helpers for the parsers

// The logical block size of `device` (sanitized), 512 when unknown.
uint32_t LogicalBlockBytes(const KernelErrorParserOptions& o,
                           absl::string_view device);
// The fs block size of `device` (sanitized), 0 when unknown.
uint32_t FsBlockBytes(const KernelErrorParserOptions& o,
                      absl::string_view device);

// Fills out->error for `device` with `offset`/`length` (bytes) and sets
// kRange, or sets kRejected if the range is empty or overflows.
void SetDeviceRange(KernelErrorParse* out, KernelErrorFormat format,
                    absl::string_view device, uint64_t offset, uint64_t length,
                    bool exact);
// Sets kRange with offset = units * unit_bytes (kRejected on overflow).
void SetDeviceRangeInUnits(KernelErrorParse* out, KernelErrorFormat format,
                           absl::string_view device, uint64_t units,
                           uint64_t unit_bytes, uint64_t length, bool exact);
void SetIgnored(KernelErrorParse* out, absl::string_view reason);
void SetRejected(KernelErrorParse* out, absl::string_view reason);

// The ErrorKind of a Linux errno printed positive (XFS "error 5") or
// negative (ext4 "I/O error -5"); *non_media is set for errnos that do not
// mean damaged media (ETIMEDOUT, ENOLINK, ENOMEM, ...).
mfr::v1::ErrorKind KindOfErrno(int64_t err, bool* non_media);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_KERNEL_ERROR_H_
