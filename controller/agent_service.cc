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

grpc::Status AgentServiceImpl::CorruptRange(
    grpc::ServerContext* context, const mfr::v1::CorruptRangeRequest* request,
    mfr::v1::CorruptRangeResponse* response) {
  absl::Status status = CheckPeerIsHost(*context, request->host());
  if (status.ok()) {
    auto result = incidents_->Report(*request, clock_());
    status = result.status();
    if (result.ok()) {
      *response = *std::move(result);
      std::clog << "report " << request->report_id() << " from "
                << request->host() << " (" << request->device() << " bytes "
                << request->range().offset_bytes() << "+"
                << request->range().length_bytes() << ") -> "
                << response->incident_id()
                << (response->duplicate() ? " (duplicate)" : "") << "\n";
    } else {
      std::clog << "report " << request->report_id() << " refused: " << status
                << "\n";
    }
  }
  metrics_->CountRequest("CorruptRange", ToGrpcStatus(status));
  return ToGrpcStatus(status);
}

grpc::Status AgentServiceImpl::Actions(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<mfr::v1::Action, mfr::v1::AgentMessage>*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "Actions arrive with the recovery milestone");
}

}  // namespace mfr::controller
