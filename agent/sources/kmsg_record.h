// Pure parsers for kernel log records: one /dev/kmsg record, and one line of
// a saved log (for `mfr-agent parse-log`).
//
// /dev/kmsg (Documentation/ABI/testing/dev-kmsg) returns one record per
// read():
//   <prio>,<seq>,<ts_usec>,<flags>[,more...];<message>\n
//    KEY=value\n            (optional dictionary lines, each starting " ")
// prio is the syslog "facility << 3 | level". Non-printable bytes and '\' in
// the message are escaped by the kernel as "\xNN"; the message is returned
// as printed (still escaped). Unknown fields before ';' are ignored.
//
// Trust: only facility 0 is the kernel. A process that writes to /dev/kmsg
// gets facility LOG_USER (1) or whatever non-zero facility it asks for, never
// 0 (kernel/printk/printk.c devkmsg_write), so `CountsAsKernel` is how a
// caller refuses forged reports. Tests may opt out through
// KmsgSourcePolicy::accept_user_facility_for_testing.
//
// Results hold string_views into the input: the caller keeps the text alive.
// Nothing here allocates on success except the dictionary beyond two fields,
// or touches the OS; everything is thread-safe.
#ifndef MFR_AGENT_SOURCES_KMSG_RECORD_H_
#define MFR_AGENT_SOURCES_KMSG_RECORD_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::sources {

// The kernel never returns more than CONSOLE_EXT_LOG_MAX bytes per record.
inline constexpr size_t kMaxKmsgRecordBytes = 8192;
// Saved-log lines longer than this are refused (counted by the caller).
inline constexpr size_t kMaxLogLineBytes = 8192;
inline constexpr size_t kMaxKmsgDictionaryFields = 16;
inline constexpr uint32_t kKernelFacility = 0;

struct KmsgField {
  absl::string_view key;    // e.g. "SUBSYSTEM", "DEVICE"
  absl::string_view value;  // e.g. "block", "b8:16"
};

struct KmsgRecord {
  uint32_t facility = 0;      // prio >> 3; 0 is the kernel
  uint32_t level = 0;         // prio & 7 (0 emerg .. 7 debug)
  uint64_t sequence = 0;      // the kernel's record sequence number
  uint64_t timestamp_us = 0;  // CLOCK_MONOTONIC at printk, microseconds
  bool continuation = false;  // flags "c": a fragment (older kernels)
  absl::string_view message;  // without the trailing "\n"
  absl::InlinedVector<KmsgField, 2> dictionary;
};

// Parses one record as returned by one read() of /dev/kmsg. InvalidArgument
// for: over kMaxKmsgRecordBytes, a missing ';', a header field that is not
// a decimal number (or overflows), more than kMaxKmsgDictionaryFields
// dictionary lines, or a dictionary line without "=".
absl::StatusOr<KmsgRecord> ParseKmsgRecord(absl::string_view record);

struct KmsgSourcePolicy {
  // Accept records of any facility. For tests only: in production this must
  // stay false or any local user could fake a media-error report.
  bool accept_user_facility_for_testing = false;
};

// True if the record is the kernel's own (facility 0), or if the policy
// accepts every facility.
bool CountsAsKernel(const KmsgRecord& record, const KmsgSourcePolicy& policy);

// ------------------------------------------------------------ saved logs

enum class LogLineFormat {
  kKmsgRecord,  // "6,339,5140900,-;msg" (a /dev/kmsg dump)
  kDmesg,       // "[  123.456789] msg", "[Tue Nov 25 ...] msg", "<3>[..] msg"
  kSyslog,      // "Nov 25 12:00:00 host kernel: msg", journalctl -k, ISO time
  kBare,        // just the message
};

struct LogLine {
  LogLineFormat format = LogLineFormat::kBare;
  absl::string_view message;  // without any timestamp or syslog prefix
  // False when the line itself says it is not from the kernel: a syslog
  // program tag "name[pid]:", or a "<prio>" / kmsg prefix with facility
  // != 0. Lines that say nothing (dmesg, bare, a syslog line whose tag is
  // neither "kernel:" nor a program's, as klogd wrote before "kernel:")
  // count as kernel lines: parse-log reads an operator's file, the live
  // source relies on CountsAsKernel.
  bool kernel = true;
};

// Parses one line of a saved log (without or with its "\n").
// InvalidArgument only for a line over kMaxLogLineBytes.
absl::StatusOr<LogLine> ParseLogLine(absl::string_view line);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_KMSG_RECORD_H_
