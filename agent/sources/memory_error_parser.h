// Pure parser for memory-error lines that name a physical location. The
// result's target is kPhysicalAddress (no device): mapping a physical
// address or page frame to a pmem namespace happens elsewhere
// (pmem_badblocks.h PhysicalToNamespace).
//
// Formats:
//   mm/memory-failure.c, pr_fmt "Memory failure: " (4.x+):
//     "Memory failure: 0x12345: recovery action for dirty LRU page: Recovered"
//     "Memory failure: 0x12345: Sending SIGBUS to app:1234 due to hardware
//      memory corruption", "...: already hardware poisoned", ...
//   2.6.32-3.x: "MCE 0x12345: dirty LRU page recovery: Recovered",
//     "MCE 0x39c2: recovery action for dirty LRU page: Recovered"
//   -> page frame number, 4096-byte pages: offset pfn*4096, length 4096,
//      exact (memory_failure() poisons the whole page), kind POISON.
//   arch/x86/kernel/cpu/mce/core.c __print_mce, pr_fmt "mce: ":
//     "mce: [Hardware Error]: TSC 0 ADDR 1234f000 MISC 86 " (ADDR in hex
//     without "0x")
//   drivers/firmware/efi/cper.c (GHES):
//     "{1}[Hardware Error]:   physical_address: 0x000000276aeb0180"
//   -> a physical address; offset aligned down to 64 bytes (one cache line,
//      the poison granule), length 64, inexact, kind POISON. Whether the
//      error was corrected comes from earlier lines of the same burst
//      (kmsg_burst.h); alone such a line is reported uncorrected.
// Not ranges: "MCE: Killing app:1 due to hardware memory corruption fault at
// <virtual address>", soft-offline and unpoison lines.
#ifndef MFR_AGENT_SOURCES_MEMORY_ERROR_PARSER_H_
#define MFR_AGENT_SOURCES_MEMORY_ERROR_PARSER_H_

#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"

namespace mfr::agent::sources {

inline constexpr uint64_t kPoisonGranuleBytes = 64;

// False (out untouched) if `message` is none of the formats above; else true
// with out->outcome kRange or kRejected.
bool ParseMemoryError(absl::string_view message, KernelErrorParse* out);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_MEMORY_ERROR_PARSER_H_
