// A small, pure aggregator over consecutive kernel messages: it parses each
// error line (kernel_error_parser.h) and refines it with the context lines
// the kernel printed just before it for the same request:
//
//  - a SCSI CDB or NVMe command of the same device whose extent contains the
//    block-layer sector gives the exact failed extent: the range becomes
//    [sector * 512, end of the command) with length_exact = true (the whole
//    failed request from the failing sector on; a probe may narrow it);
//  - a SCSI sense key / NVMe status: Medium Error upgrades an "I/O error"
//    line to ERROR_KIND_MEDIUM (old kernels print "I/O error" for all);
//    Not Ready, Illegal Request, Unit Attention, NVMe path errors, ... set
//    non_media;
//  - a non-data command (e.g. "Synchronize Cache(10)") before an old-format
//    block line that names no op makes it kIgnored (4.19 logs a failed
//    flush as "print_req_error: I/O error, dev sdg, sector 2064");
//  - an MCE bank status with UC clear, or a GHES "event severity: corrected",
//    marks the following physical-address line corrected.
// Context lines alone never produce a range. A context line is forgotten
// once used, or after max_context_age_messages further messages.
//
// Also counts what it saw (messages, ranges, ignored, rejected, suppressed
// by the kernel's rate limit). Not thread-safe: one instance per stream,
// fed in log order. Bounded memory: at most max_contexts remembered lines.
#ifndef MFR_AGENT_SOURCES_KMSG_BURST_H_
#define MFR_AGENT_SOURCES_KMSG_BURST_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"
#include "agent/sources/kmsg_context.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {

struct KmsgBurstOptions {
  size_t max_contexts = 16;
  uint64_t max_context_age_messages = 32;
};

struct KmsgBurstCounters {
  uint64_t messages = 0;
  uint64_t ranges = 0;      // kRange results (corrected ones included)
  uint64_t corrected = 0;   // kRange results with corrected = true
  uint64_t ignored = 0;     // kIgnored results
  uint64_t rejected = 0;    // kRejected results (hostile or malformed)
  uint64_t context = 0;     // context lines absorbed
  uint64_t refined = 0;     // ranges changed by a context line
  uint64_t suppressed = 0;  // messages the kernel's rate limit dropped
};

class KmsgBurst {
 public:
  explicit KmsgBurst(KernelErrorParserOptions options,
                     KmsgBurstOptions burst = KmsgBurstOptions());

  // Parses the next kernel message (already checked to be the kernel's) and
  // returns its result, refined by earlier context lines.
  KernelErrorParse Feed(absl::string_view message);

  // Forgets remembered context (e.g. after a ring-buffer overrun); keeps the
  // counters.
  void Reset();

  const KmsgBurstCounters& counters() const { return counters_; }

 private:
  // A remembered context line; the device is copied (views die).
  struct Remembered {
    ContextKind kind = ContextKind::kNone;
    char device[kMaxDeviceNameBytes];
    uint8_t device_size = 0;
    CommandClass command = CommandClass::kUnknown;
    uint64_t lba = 0;
    uint64_t blocks = 0;
    MediaVerdict verdict = MediaVerdict::kUnknown;
    bool flag = false;  // kMceStatus: uncorrected; kGhesSeverity: corrected
    uint64_t at = 0;    // message number
    absl::string_view Device() const { return {device, device_size}; }
  };

  void Absorb(const KmsgContext& context);
  void Remember(const KmsgContext& context);
  // The newest live remembered line of `kind` (and `device`, if not empty).
  Remembered* Find(ContextKind kind, absl::string_view device);
  void Refine(KernelErrorParse* result);
  void RefineBlockRange(KernelError* e, KernelErrorParse* result);
  void ApplyCommand(Remembered* command, KernelError* e,
                    KernelErrorParse* result);
  void Count(const KernelErrorParse& result);

  KernelErrorParserOptions options_;
  KmsgBurstOptions burst_;
  std::vector<Remembered> ring_;
  size_t next_ = 0;
  uint64_t message_number_ = 0;
  Remembered pending_scsi_;  // a split SCSI line waiting for its tail
  KmsgBurstCounters counters_;
};

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_KMSG_BURST_H_
