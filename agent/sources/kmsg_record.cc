// Implementation of the kmsg record and saved-log line parsers.
#include "agent/sources/kmsg_record.h"

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

absl::Status Malformed(const char* why) {
  return absl::InvalidArgumentError(why);
}

// "<prio>,<seq>,<ts>[,<flags>[,...]]" (the part before ';').
bool ParseHeader(absl::string_view h, KmsgRecord* r) {
  uint64_t prio, seq, ts;
  if (!ConsumeDecimal(&h, &prio) || prio > UINT32_MAX ||
      !ConsumeLiteral(&h, ",") || !ConsumeDecimal(&h, &seq) ||
      !ConsumeLiteral(&h, ",") || !ConsumeDecimal(&h, &ts)) {
    return false;
  }
  if (!h.empty() && h[0] != ',') return false;
  r->facility = static_cast<uint32_t>(prio >> 3);
  r->level = static_cast<uint32_t>(prio & 7);
  r->sequence = seq;
  r->timestamp_us = ts;
  if (h.empty()) return true;
  h.remove_prefix(1);
  const absl::string_view flags = h.substr(0, h.find(','));
  r->continuation = flags.find('c') != absl::string_view::npos;
  return true;
}

// Dictionary lines " KEY=value", separated by "\n".
absl::Status ParseDictionary(absl::string_view rest, KmsgRecord* r) {
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    absl::string_view line = rest.substr(0, nl);
    rest = nl == absl::string_view::npos ? absl::string_view()
                                         : rest.substr(nl + 1);
    if (line.empty()) continue;
    if (line[0] != ' ') return Malformed("kmsg: text after the message line");
    line.remove_prefix(1);
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return Malformed("kmsg: dictionary line without KEY=");
    }
    if (r->dictionary.size() >= kMaxKmsgDictionaryFields) {
      return Malformed("kmsg: too many dictionary lines");
    }
    r->dictionary.push_back({line.substr(0, eq), line.substr(eq + 1)});
  }
  return absl::OkStatus();
}

// "[ ... ]" at the front (a dmesg timestamp), at most 48 bytes inside.
bool ConsumeBracketStamp(absl::string_view* s) {
  if (s->empty() || (*s)[0] != '[') return false;
  const size_t close = s->substr(0, 50).find(']');
  if (close == absl::string_view::npos) return false;
  s->remove_prefix(close + 1);
  if (!s->empty() && (*s)[0] == ' ') s->remove_prefix(1);
  return true;
}

bool IsMonth(absl::string_view s) {
  static constexpr absl::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                                  "May", "Jun", "Jul", "Aug",
                                                  "Sep", "Oct", "Nov", "Dec"};
  for (absl::string_view m : kMonths) {
    if (s.substr(0, 3) == m) return true;
  }
  return false;
}

// Consumes one space-delimited token and the blanks after it.
absl::string_view ConsumeToken(absl::string_view* s) {
  const size_t sp = s->find(' ');
  const absl::string_view token = s->substr(0, sp);
  s->remove_prefix(sp == absl::string_view::npos ? s->size() : sp);
  SkipBlanks(s);
  return token;
}

// "name[pid]:", the tag of a user-space program.
bool IsProgramTag(absl::string_view tag) {
  if (tag.size() < 4 || tag.back() != ':' || tag[tag.size() - 2] != ']') {
    return false;
  }
  return tag.find('[') != absl::string_view::npos;
}

// After the syslog timestamp: "host kernel: msg" is the kernel's,
// "host prog[pid]: msg" a program's. Anything else (klogd without the
// "kernel:" tag, an edited log) is taken as a kernel message after the host.
bool ParseSyslogTail(absl::string_view s, LogLine* out) {
  ConsumeToken(&s);  // host
  out->format = LogLineFormat::kSyslog;
  absl::string_view rest = s;
  const absl::string_view tag = ConsumeToken(&rest);
  if (tag == "kernel:") {
    ConsumeBracketStamp(&rest);  // "kernel: [  123.4] msg" (printk.time=1)
    out->message = rest;
  } else if (IsProgramTag(tag)) {
    out->kernel = false;
    out->message = rest;
  } else {
    ConsumeBracketStamp(&s);
    out->message = s;
  }
  return true;
}

// "Nov 25 12:00:00[.123456] host tag: msg" or ISO "2025-11-25T12:00:00...".
bool ParseSyslog(absl::string_view s, LogLine* out) {
  if (s.size() > 16 && IsMonth(s) && s[3] == ' ') {
    s.remove_prefix(4);
    SkipBlanks(&s);  // "Nov  5"
    uint64_t day;
    if (!ConsumeDecimal(&s, &day) || !ConsumeLiteral(&s, " ")) return false;
    const absl::string_view time = ConsumeToken(&s);
    if (time.size() < 8 || time[2] != ':' || time[5] != ':') return false;
    return ParseSyslogTail(s, out);
  }
  if (s.size() > 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T') {
    ConsumeToken(&s);
    return ParseSyslogTail(s, out);
  }
  return false;
}

// "<N>" (dmesg -r / syslog raw): the facility says whether it is kernel.
void ConsumeRawPrio(absl::string_view* s, LogLine* out) {
  absl::string_view t = *s;
  uint64_t prio;
  if (ConsumeLiteral(&t, "<") && ConsumeDecimal(&t, &prio) &&
      ConsumeLiteral(&t, ">")) {
    out->kernel = (prio >> 3) == kKernelFacility;
    *s = t;
  }
}

}  // namespace

absl::StatusOr<KmsgRecord> ParseKmsgRecord(absl::string_view record) {
  if (record.size() > kMaxKmsgRecordBytes) {
    return Malformed("kmsg: record too long");
  }
  const size_t nl = record.find('\n');
  const absl::string_view first = record.substr(0, nl);
  const size_t semi = first.find(';');
  if (semi == absl::string_view::npos) return Malformed("kmsg: no ';'");
  KmsgRecord r;
  if (!ParseHeader(first.substr(0, semi), &r)) {
    return Malformed("kmsg: malformed header");
  }
  r.message = first.substr(semi + 1);
  if (nl != absl::string_view::npos) {
    absl::Status dict = ParseDictionary(record.substr(nl + 1), &r);
    if (!dict.ok()) return dict;
  }
  return r;
}

bool CountsAsKernel(const KmsgRecord& record, const KmsgSourcePolicy& policy) {
  return record.facility == kKernelFacility ||
         policy.accept_user_facility_for_testing;
}

absl::StatusOr<LogLine> ParseLogLine(absl::string_view line) {
  if (line.size() > kMaxLogLineBytes) return Malformed("log line too long");
  line = TrimTrailing(line);
  LogLine out;
  if (!line.empty() && line[0] >= '0' && line[0] <= '9' &&
      line.substr(0, 64).find(';') != absl::string_view::npos) {
    absl::StatusOr<KmsgRecord> r = ParseKmsgRecord(line);
    if (r.ok()) {
      out.format = LogLineFormat::kKmsgRecord;
      out.kernel = r->facility == kKernelFacility;
      out.message = r->message;
      return out;
    }
  }
  if (ParseSyslog(line, &out)) return out;
  absl::string_view s = line;
  ConsumeRawPrio(&s, &out);
  if (ConsumeBracketStamp(&s)) {
    out.format = LogLineFormat::kDmesg;
    absl::string_view tail = s;
    ConsumeToken(&tail);  // journalctl -o short-monotonic: "host kernel: "
    if (ConsumeLiteral(&tail, "kernel: ")) s = tail;
  } else {
    ConsumeLiteral(&s, "kernel: ");  // a syslog line cut after the host
  }
  out.message = s;
  return out;
}

}  // namespace mfr::agent::sources
