#include "agent/report/report_id.h"

#include <cstdint>

#include "agent/report/sha256.h"

namespace mfr::agent::report {
namespace {

// Bumped whenever the encoding below changes.
constexpr absl::string_view kDomain = "mfr.v1.CorruptRange.report_id/1";

void AddU64(Sha256* h, uint64_t v) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(v >> (56 - 8 * i));
  h->Update(absl::string_view(bytes, sizeof(bytes)));
}

// Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
void AddString(Sha256* h, absl::string_view s) {
  AddU64(h, s.size());
  h->Update(s);
}

}  // namespace

std::string ComputeReportId(const mfr::v1::CorruptRangeRequest& report) {
  Sha256 h;
  AddString(&h, kDomain);
  AddString(&h, report.host());
  AddString(&h, report.device());
  AddU64(&h, report.range().offset_bytes());
  AddU64(&h, report.range().length_bytes());
  AddU64(&h, static_cast<uint64_t>(report.source()));
  AddU64(&h, static_cast<uint64_t>(report.kind()));
  AddU64(&h, static_cast<uint64_t>(report.evidence_size()));
  for (const std::string& line : report.evidence()) AddString(&h, line);
  return DigestHex(h.Finish(), kReportIdChars / 2);
}

}  // namespace mfr::agent::report
