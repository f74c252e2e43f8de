// Deterministic report ids: the controller deduplicates reports by id, so a
// report that is retried, replayed from the outbox after a restart, or
// produced again from the same evidence must carry the same id, and
// reports that differ in any identifying field must not.
//
// The id covers: host, device, the byte range (offset and length, bytes),
// source, kind and the evidence lines (order matters). It does NOT cover
// `observed`, `length_exact` or `report_id` itself: the same kernel line
// seen twice is one report. A source that wants a recurrence of identical
// damage to count as a new report must put what distinguishes it (e.g. the
// kmsg sequence number) into the evidence.
//
// The id is the first 128 bits of a SHA-256 over a length-prefixed encoding
// of those fields, as 32 lower-case hex characters. The encoding is
// versioned: changing it is a wire change (the controller would see old
// and new ids as different reports). Pure; thread-safe.
#ifndef MFR_AGENT_REPORT_REPORT_ID_H_
#define MFR_AGENT_REPORT_REPORT_ID_H_

#include <string>

#include "mfr/v1/agent_service.pb.h"

namespace mfr::agent::report {

inline constexpr size_t kReportIdChars = 32;

std::string ComputeReportId(const mfr::v1::CorruptRangeRequest& report);

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_REPORT_ID_H_
