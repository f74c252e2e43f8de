// Pure parser for kernel lines that never name a damaged range on their own
// but say something about the error line they accompany:
//
//   SCSI (drivers/scsi/scsi_logging.c; "sd H:C:T:L: [dev] [tag#N] ..."):
//     "CDB: Read(10) 28 00 00 31 c9 b8 00 00 30 00"  (4.x+)
//     "CDB: Read(10): 28 00 01 d4 1e 10 00 00 08 00"  (3.x)
//     "CDB: opcode=0x28 28 00 bb c8 cf 28 00 01 00 00"
//     "Sense Key : Medium Error [current] [descriptor]", "Sense Key : 0x3"
//     3.x splits "sd 2:0:0:0: [sdc] CDB: " and "Read(16): 88 00 ..." (or
//     "[sdc]  " and "Sense Key : ...") over two records: the first gives
//     kScsiPending, and the second is parsed with that device.
//   NVMe (drivers/nvme/host/core.c nvme_log_error, 5.18+):
//     "nvme0n1: Read(0x2) @ LBA 2048, 8 blocks, Unrecovered Read Error
//      (sct 0x2 / sc 0x81) DNR", older opcode text "I/O Cmd(0x2)"
//   Rate limiting (lib/ratelimit.c): "blk_update_request: 3 callbacks
//     suppressed"
//   MCE bank status (arch/x86/kernel/cpu/mce/core.c): "mce: [Hardware Error]:
//     CPU 0: Machine Check: 0 Bank 1: bd80000000100134" (UC = bit 61)
//   GHES (drivers/firmware/efi/cper.c): "{1}[Hardware Error]: event
//     severity: corrected"
//
// A command's extent is in the device's logical blocks: LBA and transfer
// length decoded from READ/WRITE/VERIFY (6), (10), (12), (16) CDBs, or the
// NVMe LBA and block count. Results hold views into the message.
#ifndef MFR_AGENT_SOURCES_KMSG_CONTEXT_H_
#define MFR_AGENT_SOURCES_KMSG_CONTEXT_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mfr::agent::sources {

enum class ContextKind {
  kNone,
  kScsiPending,   // "sd ...: [dev]" or "... CDB: " with the rest on the next
  kCommand,       // a SCSI CDB or an NVMe command of `device`
  kScsiSense,     // the sense key of `device`'s failed command
  kSuppressed,    // a rate-limit notice; `suppressed` messages were dropped
  kMceStatus,     // a machine-check bank status
  kGhesSeverity,  // a GHES/CPER event severity
};

// What a failed command or its status says about the media.
enum class MediaVerdict { kUnknown, kMedium, kNotMedia };

enum class CommandClass {
  kUnknown,  // an opcode we do not decode
  kData,     // read/write/verify: `lba` and `blocks` are set
  kNonData,  // synchronize cache, unmap, flush, dataset management, ...
};

struct KmsgContext {
  ContextKind kind = ContextKind::kNone;
  absl::string_view device;  // kernel name: "sdc", "nvme0n1"
  CommandClass command = CommandClass::kUnknown;
  uint64_t lba = 0;                               // logical blocks of `device`
  uint64_t blocks = 0;                            // > 0 for kData
  MediaVerdict verdict = MediaVerdict::kUnknown;  // sense key / NVMe status
  uint64_t suppressed = 0;                        // kSuppressed
  bool uncorrected = false;                       // kMceStatus: MCi_STATUS.UC
  bool corrected = false;                         // kGhesSeverity: "corrected"
};

// Classifies one kernel message. `pending_scsi_device` is the device of the
// previous kScsiPending line (empty if none); a continuation line is parsed
// with it. Anything unrecognized is kNone.
KmsgContext ParseKmsgContext(absl::string_view message,
                             absl::string_view pending_scsi_device);

// Decodes a CDB given as hex byte text ("28 00 00 31 c9 b8 00 00 30 00").
// Returns kUnknown for an opcode we do not decode or malformed text.
CommandClass DecodeCdb(absl::string_view hex_bytes, uint64_t* lba,
                       uint64_t* blocks);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_KMSG_CONTEXT_H_
