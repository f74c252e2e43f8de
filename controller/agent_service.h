// gRPC adapter for mfr.v1.AgentService over AgentCore. Checks that the
// peer may act for the host it names; converts statuses; nothing else.
#ifndef MFR_CONTROLLER_AGENT_SERVICE_H_
#define MFR_CONTROLLER_AGENT_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "controller/agent_core.h"
#include "controller/incident_core.h"
#include "controller/metrics.h"
#include "controller/recovery/action_dispatcher.h"
#include "mfr/v1/agent_service.grpc.pb.h"

namespace mfr::controller {

class AgentServiceImpl final : public mfr::v1::AgentService::Service {
 public:
  using Clock = std::function<absl::Time()>;
  AgentServiceImpl(AgentCore* core, IncidentCore* incidents,
                   recovery::ActionDispatcher* dispatcher,
                   ControllerMetrics* metrics, Clock clock)
      : core_(core),
        incidents_(incidents),
        dispatcher_(dispatcher),
        metrics_(metrics),
        clock_(clock) {}

  grpc::Status Register(grpc::ServerContext* context,
                        const mfr::v1::RegisterRequest* request,
                        mfr::v1::RegisterResponse* response) override;
  grpc::Status UploadSnapshot(
      grpc::ServerContext* context,
      grpc::ServerReader<mfr::v1::SnapshotChunk>* reader,
      mfr::v1::UploadSnapshotResponse* response) override;
  grpc::Status CorruptRange(grpc::ServerContext* context,
                            const mfr::v1::CorruptRangeRequest* request,
                            mfr::v1::CorruptRangeResponse* response) override;
  grpc::Status Actions(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<mfr::v1::Action, mfr::v1::AgentMessage>* stream)
      override;

 private:
  grpc::Status ReceiveSnapshot(
      grpc::ServerContext* context,
      grpc::ServerReader<mfr::v1::SnapshotChunk>* reader,
      mfr::v1::UploadSnapshotResponse* response);

  grpc::Status RunActionStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<mfr::v1::Action, mfr::v1::AgentMessage>* stream);

  AgentCore* const core_;
  IncidentCore* const incidents_;
  recovery::ActionDispatcher* const dispatcher_;
  ControllerMetrics* const metrics_;
  const Clock clock_;
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_AGENT_SERVICE_H_
