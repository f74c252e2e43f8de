// The entry point of the kernel-message parsers: one kernel log message in,
// the damaged range it names (if any) out. Pure: no I/O, no state between
// calls; thread-safe if the option callbacks are.
//
// The message is the text of one kernel record (KmsgRecord::message or
// LogLine::message), without syslog/dmesg prefixes. Callers must have
// checked that it came from the kernel (kmsg_record.h CountsAsKernel).
//
// Formats and units are documented per family:
//   block_error_parser.h  block layer, Buffer I/O
//   md_error_parser.h     md raid1/10/4/5/6 (loss, member damage, corrected)
//   memory_error_parser.h memory failure (pfn), MCE and GHES addresses
//   fs_error_parser.h     XFS, ext2/3/4, iomap writeback
// Lines that only give context (SCSI sense, CDBs, NVMe command status,
// rate-limit notices) never produce a range here; kmsg_burst.h uses them to
// refine the range of the error line they belong to.
#ifndef MFR_AGENT_SOURCES_KERNEL_ERROR_PARSER_H_
#define MFR_AGENT_SOURCES_KERNEL_ERROR_PARSER_H_

#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"

namespace mfr::agent::sources {

// Trailing whitespace is ignored. A message over kMaxKernelMessageBytes is
// kRejected without being scanned.
KernelErrorParse ParseKernelError(absl::string_view message,
                                  const KernelErrorParserOptions& options);

// A short name of an ErrorKind for logs, JSON and test tables: "io",
// "medium", "poison", "md_uncorrectable", "fs_corruption"; "unknown" else.
absl::string_view ErrorKindName(mfr::v1::ErrorKind kind);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_KERNEL_ERROR_PARSER_H_
