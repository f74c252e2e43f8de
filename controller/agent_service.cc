#include "controller/agent_service.h"

#include <iostream>

#include "common/grpc_endpoints.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"

namespace mfr::controller {

grpc::Status AgentServiceImpl::Register(grpc::ServerContext* context,
                                        const mfr::v1::RegisterRequest* request,
                                        mfr::v1::RegisterResponse* response) {
  const absl::Time now = clock_();
  absl::Status status = CheckPeerIsHost(*context, request->host());
  if (status.ok()) status = core_->Register(*request, now);
  if (status.ok()) {
    *response->mutable_server_time() = ToProtoTime(now);
    std::clog << "registered host " << request->host() << " (agent "
              << request->agent_version() << ", "
              << request->topology().devices_size() << " devices, "
              << request->topology().mounts_size() << " mounts)\n";
  }
  metrics_->CountRequest("Register", ToGrpcStatus(status));
  return ToGrpcStatus(status);
}

grpc::Status AgentServiceImpl::UploadSnapshot(
    grpc::ServerContext* context,
    grpc::ServerReader<mfr::v1::SnapshotChunk>* reader,
    mfr::v1::UploadSnapshotResponse* response) {
  grpc::Status status = ReceiveSnapshot(context, reader, response);
  metrics_->CountRequest("UploadSnapshot", status);
  if (status.ok()) {
    metrics_->CountSnapshot(response->records(), response->segments());
  }
  return status;
}

grpc::Status AgentServiceImpl::ReceiveSnapshot(
    grpc::ServerContext* context,
    grpc::ServerReader<mfr::v1::SnapshotChunk>* reader,
    mfr::v1::UploadSnapshotResponse* response) {
  auto upload = core_->StartUpload(clock_());
  auto authorize = [context](const std::string& host) {
    return CheckPeerIsHost(*context, host);
  };
  mfr::v1::SnapshotChunk chunk;
  while (reader->Read(&chunk)) {
    if (auto s = upload->Accept(chunk, authorize); !s.ok()) {
      std::clog << "snapshot upload refused: " << s << "\n";
      return ToGrpcStatus(s);
    }
  }
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "upload cancelled");
  }
  auto result = upload->Finish();
  if (!result.ok()) {
    std::clog << "snapshot upload not committed: " << result.status() << "\n";
    return ToGrpcStatus(result.status());
  }
  *response = *result;
  std::clog << "snapshot generation " << result->generation()
            << " committed: " << result->records() << " records, "
            << result->segments() << " segments, " << result->inodes()
            << " inodes\n";
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::CorruptRange(grpc::ServerContext*,
                                            const mfr::v1::CorruptRangeRequest*,
                                            mfr::v1::CorruptRangeResponse*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "CorruptRange arrives with the detection milestone");
}

grpc::Status AgentServiceImpl::Actions(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<mfr::v1::Action, mfr::v1::AgentMessage>*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "Actions arrive with the recovery milestone");
}

}  // namespace mfr::controller
