#include "controller/metrics.h"

#include "absl/status/status.h"

namespace mfr::controller {

ControllerMetrics::ControllerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("mfr_controller_grpc_requests_total")
                    .Help("gRPC requests handled, by method and status code.")
                    .Register(*registry_)),
      snapshots_(prometheus::BuildCounter()
                     .Name("mfr_controller_snapshots_committed_total")
                     .Help("Filesystem snapshots committed.")
                     .Register(*registry_)
                     .Add({})),
      snapshot_records_(prometheus::BuildCounter()
                            .Name("mfr_controller_snapshot_records_total")
                            .Help("Reverse-map records ingested.")
                            .Register(*registry_)
                            .Add({})),
      snapshot_segments_(prometheus::BuildCounter()
                             .Name("mfr_controller_snapshot_segments_total")
                             .Help("Disjoint segments stored.")
                             .Register(*registry_)
                             .Add({})) {}

void ControllerMetrics::CountRequest(const std::string& method,
                                     const grpc::Status& status) {
  requests_
      .Add({{"method", method},
            {"code", absl::StatusCodeToString(
                         static_cast<absl::StatusCode>(status.error_code()))}})
      .Increment();
}

void ControllerMetrics::CountSnapshot(uint64_t records, uint64_t segments) {
  snapshots_.Increment();
  snapshot_records_.Increment(static_cast<double>(records));
  snapshot_segments_.Increment(static_cast<double>(segments));
}

}  // namespace mfr::controller
