// `mfr-agent parse-log`: runs the agent's kernel-log parsers over a saved
// log (dmesg, journalctl -k, /dev/kmsg dumps) and prints every range the
// live agent would have detected, one JSON object per line or a table.
// Lines a log marks as not the kernel's (a program's syslog tag, a user
// facility) are skipped, as the live source skips them.
#ifndef MFR_AGENT_PARSE_LOG_H_
#define MFR_AGENT_PARSE_LOG_H_

#include <istream>
#include <ostream>

#include "absl/status/status.h"

namespace mfr::agent {

struct ParseLogCounts {
  uint64_t lines = 0;
  uint64_t ranges = 0;
  uint64_t rejected = 0;  // hostile or malformed kernel lines
};

// Reads `in` line by line (any size; memory per line is bounded) and
// writes one result per detected range to `out`. Device block sizes are
// unknown offline: lengths of one logical block assume 512 bytes and say
// lengthExact=false.
ParseLogCounts ParseLog(std::istream& in, std::ostream& out, bool json);

// JSON string escaping; bytes that are not valid UTF-8 become \u00XX.
std::string JsonQuote(absl::string_view text);

}  // namespace mfr::agent

#endif  // MFR_AGENT_PARSE_LOG_H_
