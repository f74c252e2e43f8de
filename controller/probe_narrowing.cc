#include "controller/probe_narrowing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_range.h"
#include "common/proto_time.h"
#include "controller/recovery/outcome.h"

namespace mfr::controller {

std::vector<mfr::v1::CorruptRangeRequest> NarrowToProbe(
    const mfr::v1::ActionResult& result, absl::Time now,
    mfr::v1::Incident* incident) {
  std::vector<ByteSpan> bad;
  for (const auto& r : result.bad_device_ranges()) bad.push_back(SpanOf(r));
  bad = Normalize(std::move(bad));
  // The failed request stopped at its first unreadable run.
  const ByteSpan first = bad.front();
  incident->add_audit(recovery::AuditLine(
      now, absl::StrCat("range narrowed by the probe from ",
                        incident->range().offset_bytes(), "+",
                        incident->range().length_bytes(), " to ", first.offset,
                        "+", first.length)));
  incident->mutable_range()->set_offset_bytes(first.offset);
  incident->mutable_range()->set_length_bytes(first.length);
  std::vector<mfr::v1::CorruptRangeRequest> others;
  for (size_t i = 1; i < bad.size(); ++i) {
    mfr::v1::CorruptRangeRequest r;
    r.set_report_id(
        absl::StrCat("probe-", result.action_id(), "-", bad[i].offset));
    r.set_host(incident->host());
    r.set_device(incident->device());
    r.mutable_range()->set_offset_bytes(bad[i].offset);
    r.mutable_range()->set_length_bytes(bad[i].length);
    r.set_length_exact(true);
    r.set_source(mfr::v1::ERROR_SOURCE_SCRUBBER);
    r.set_kind(mfr::v1::ERROR_KIND_MEDIUM);
    *r.mutable_observed() = ToProtoTime(now);
    r.add_evidence(absl::StrCat("probe ", result.action_id(), " of ",
                                incident->id(), " could not read ",
                                incident->device(), " bytes ", bad[i].offset,
                                "+", bad[i].length));
    others.push_back(std::move(r));
  }
  return others;
}

bool EchoOfProbe(const mfr::v1::Incident& incident, const ByteSpan& range) {
  for (const auto& record : incident.actions()) {
    const auto& probe = record.action().probe();
    if (!record.action().has_probe() || !record.has_result()) continue;
    const ByteSpan window = SpanOf(probe.range());
    if (range.offset < window.offset || range.end() > window.end()) continue;
    if (range.offset == window.offset) return true;
    const uint64_t chunk = std::max<uint64_t>(probe.chunk_bytes(), 1);
    const bool chunk_start = (range.offset - window.offset) % chunk == 0;
    for (const auto& bad : record.result().bad_device_ranges()) {
      if (Intersect(SpanOf(bad), range)) return true;
      if (chunk_start && Intersect(SpanOf(bad), {range.offset, chunk})) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace mfr::controller
