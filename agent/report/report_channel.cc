#include "agent/report/report_channel.h"

#include "absl/time/clock.h"
#include "common/grpc_status.h"

namespace mfr::agent::report {

absl::StatusOr<mfr::v1::CorruptRangeResponse> StubReportChannel::Send(
    const mfr::v1::CorruptRangeRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  mfr::v1::CorruptRangeResponse response;
  absl::Status status =
      FromGrpcStatus(stub_->CorruptRange(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace mfr::agent::report
