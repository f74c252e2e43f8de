#include "agent/parse_log.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/sources/kernel_error_parser.h"
#include "agent/sources/kmsg_burst.h"
#include "agent/sources/kmsg_record.h"
#include "common/utf8.h"

namespace mfr::agent {
namespace {

constexpr size_t kMaxLineBytes = 64 << 10;

void Emit(const sources::KernelError& e, absl::string_view line, bool json,
          std::ostream& out) {
  const bool physical =
      e.target == sources::KernelErrorTarget::kPhysicalAddress;
  if (json) {
    out << "{\"device\":" << JsonQuote(physical ? "" : e.device)
        << ",\"physicalAddress\":" << (physical ? "true" : "false")
        << ",\"offsetBytes\":" << e.offset_bytes
        << ",\"lengthBytes\":" << e.length_bytes
        << ",\"lengthExact\":" << (e.length_exact ? "true" : "false")
        << ",\"kind\":" << JsonQuote(sources::ErrorKindName(e.kind))
        << ",\"what\":" << JsonQuote(e.what)
        << ",\"corrected\":" << (e.corrected ? "true" : "false")
        << ",\"nonMedia\":" << (e.non_media ? "true" : "false")
        << ",\"line\":" << JsonQuote(line) << "}\n";
    return;
  }
  out << absl::StrFormat("%-12s %20d %12d %-5s %-14s %s%s%s\n",
                         physical ? "(physical)" : e.device, e.offset_bytes,
                         e.length_bytes, e.length_exact ? "exact" : "est.",
                         sources::ErrorKindName(e.kind), e.what,
                         e.corrected ? " [corrected: not loss]" : "",
                         e.non_media ? " [not a media error]" : "");
}

}  // namespace

std::string JsonQuote(absl::string_view text) {
  const bool utf8 = IsValidUtf8(text);
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || (!utf8 && c >= 0x80)) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

ParseLogCounts ParseLog(std::istream& in, std::ostream& out, bool json) {
  ParseLogCounts counts;
  sources::KmsgBurst burst{sources::KernelErrorParserOptions{}};
  if (!json) {
    out << absl::StrFormat("%-12s %20s %12s %-5s %-14s %s\n", "DEVICE",
                           "OFFSET BYTES", "LENGTH", "LEN", "KIND", "WHAT");
  }
  std::string line;
  while (std::getline(in, line)) {
    ++counts.lines;
    if (line.size() > kMaxLineBytes) line.resize(kMaxLineBytes);
    auto parsed = sources::ParseLogLine(line);
    if (!parsed.ok() || !parsed->kernel) continue;
    auto result = burst.Feed(parsed->message);
    if (result.outcome == sources::ParseOutcome::kRejected) ++counts.rejected;
    if (result.outcome != sources::ParseOutcome::kRange) continue;
    ++counts.ranges;
    Emit(result.error, line, json, out);
  }
  return counts;
}

}  // namespace mfr::agent
