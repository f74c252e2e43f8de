// How the report sender reaches the controller: one CorruptRange call per
// report. ReportChannel is the seam tests replace with a fake;
// StubReportChannel is the real one over the gRPC stub.
#ifndef MFR_AGENT_REPORT_REPORT_CHANNEL_H_
#define MFR_AGENT_REPORT_REPORT_CHANNEL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mfr/v1/agent_service.grpc.pb.h"

namespace mfr::agent::report {

class ReportChannel {
 public:
  virtual ~ReportChannel() = default;
  // Sends one report; the controller's answer, or its status (gRPC codes
  // carried over one to one). Blocking.
  virtual absl::StatusOr<mfr::v1::CorruptRangeResponse> Send(
      const mfr::v1::CorruptRangeRequest& request) = 0;
};

// CorruptRange over an AgentService stub, with a deadline of `timeout`
// (real time) per call. Thread-safe like the stub. The composition root
// makes the stub from the same channel as ControllerClient's:
//   StubReportChannel(mfr::v1::AgentService::NewStub(channel), timeout)
class StubReportChannel final : public ReportChannel {
 public:
  StubReportChannel(std::unique_ptr<mfr::v1::AgentService::StubInterface> stub,
                    absl::Duration timeout)
      : stub_(std::move(stub)), timeout_(timeout) {}

  absl::StatusOr<mfr::v1::CorruptRangeResponse> Send(
      const mfr::v1::CorruptRangeRequest& request) override;

 private:
  const std::unique_ptr<mfr::v1::AgentService::StubInterface> stub_;
  const absl::Duration timeout_;
};

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_REPORT_CHANNEL_H_
