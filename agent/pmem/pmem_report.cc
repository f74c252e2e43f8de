// Implementation of the pmem report builder.
#include "agent/pmem/pmem_report.h"

#include "absl/strings/str_cat.h"
#include "agent/report/report_id.h"
#include "agent/sources/text_scan.h"
#include "common/proto_time.h"

namespace mfr::agent::pmem {

mfr::v1::CorruptRangeRequest ReportForNewRange(const std::string& host,
                                               const NewRange& range,
                                               absl::Time now) {
  mfr::v1::CorruptRangeRequest r;
  r.set_host(host);
  r.set_device(range.device);
  r.mutable_range()->set_offset_bytes(range.span.offset);
  r.mutable_range()->set_length_bytes(range.span.length);
  r.set_length_exact(true);
  r.set_source(range.source);
  r.set_kind(mfr::v1::ERROR_KIND_POISON);
  *r.mutable_observed() = ToProtoTime(now);
  r.add_evidence(absl::StrCat(range.origin, ": ", range.device, " sectors ",
                              range.span.offset / sources::kSectorBytes, "+",
                              range.span.length / sources::kSectorBytes,
                              " bad (", range.clears, " earlier clears on ",
                              range.device, ")"));
  r.set_report_id(report::ComputeReportId(r));
  return r;
}

}  // namespace mfr::agent::pmem
