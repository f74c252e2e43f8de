#include "agent/controller_client.h"

#include "common/grpc_status.h"

namespace mfr::agent {
namespace {

void SetDeadline(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

}  // namespace

SnapshotUploadStream::SnapshotUploadStream(
    mfr::v1::AgentService::StubInterface* stub, absl::Duration timeout) {
  SetDeadline(&context_, timeout);
  writer_ = stub->UploadSnapshot(&context_, &response_);
}

SnapshotUploadStream::~SnapshotUploadStream() {
  if (!finished_) {
    context_.TryCancel();
    writer_->Finish().ok();  // reaps the cancelled call; its status is moot
  }
}

absl::Status SnapshotUploadStream::Write(const mfr::v1::SnapshotChunk& chunk) {
  if (!writer_->Write(chunk)) {
    return absl::UnavailableError("the controller closed the upload stream");
  }
  return absl::OkStatus();
}

absl::StatusOr<mfr::v1::UploadSnapshotResponse> SnapshotUploadStream::Finish() {
  finished_ = true;
  writer_->WritesDone();
  absl::Status status = FromGrpcStatus(writer_->Finish());
  if (!status.ok()) return status;
  return response_;
}

absl::Status ControllerClient::Register(
    const mfr::v1::RegisterRequest& request) {
  grpc::ClientContext context;
  SetDeadline(&context, timeout_);
  mfr::v1::RegisterResponse response;
  return FromGrpcStatus(stub_->Register(&context, request, &response));
}

}  // namespace mfr::agent
