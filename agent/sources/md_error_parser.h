// Pure parser for md (software RAID) read-error lines (drivers/md/raid1.c,
// raid10.c, raid5.c), 2.6.3x to 6.x. Array and member names come from the
// line; sectors are 512-byte units.
//
// Data loss (ERROR_KIND_MD_UNCORRECTABLE):
//   raid1/10 "md/raid1:md0: sdb1: unrecoverable I/O read error for block N"
//            N is an ARRAY sector: the range is on md0 (md_member = sdb1),
//            one logical block of md0, length inexact.
//   raid4/5/6 "md/raid:md0: read error not correctable (sector S on sdb1)."
//            (older "raid5:md0: ..."); S is a MEMBER sector (data offset
//            included): the range is on sdb1, one stripe page (4096 bytes,
//            RAID5_STRIPE_SIZE), inexact.
// A bad member sector md still serves from redundancy (ERROR_KIND_MEDIUM on
// the member; the resolver sees the md leg and calls it repairable):
//   raid5 "read error NOT corrected!! (sector S on D)." and
//         "read error on replacement device (sector S on D).";
//   raid10 "unable to read back corrected sectors (N sectors at S on D)"
//          and "read correction write failed (N sectors at S on D)".
// Repaired by md (corrected = true, never an incident):
//   "read error corrected (N sectors at S on D)" (raid1/10/5; member range,
//   exact), raid1 "redirecting sector S to other mirror: D" and raid10
//   "D: redirecting sector S to another mirror" (array sector).
// 2.6-era "raid1: hda: unrecoverable I/O read error for block N" names the
// member with an array sector and no array: kIgnored (no usable range).
#ifndef MFR_AGENT_SOURCES_MD_ERROR_PARSER_H_
#define MFR_AGENT_SOURCES_MD_ERROR_PARSER_H_

#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"

namespace mfr::agent::sources {

// The md stripe page: one raid5 read error covers this much of a member.
inline constexpr uint64_t kMdStripePageBytes = 4096;

// False (out untouched) if `message` is no md line; else true with
// out->outcome set (kRange, kIgnored, kRejected). md lines that report no
// range (e.g. "Disk failure on sdb1") give false.
bool ParseMdError(absl::string_view message,
                  const KernelErrorParserOptions& options,
                  KernelErrorParse* out);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_MD_ERROR_PARSER_H_
