// The agent's side of mfr.v1.AgentService: registration and streamed
// snapshot uploads. The stub is handed in, so tests can use a real server
// on loopback or a fake. Each call has its own deadline. Thread-compatible.
#ifndef MFR_AGENT_CONTROLLER_CLIENT_H_
#define MFR_AGENT_CONTROLLER_CLIENT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mfr/v1/agent_service.grpc.pb.h"

namespace mfr::agent {

// One UploadSnapshot stream. Write chunks, then Finish; destroying an
// unfinished upload cancels the stream, and the controller keeps the
// previous snapshot.
class SnapshotUploadStream {
 public:
  explicit SnapshotUploadStream(mfr::v1::AgentService::StubInterface* stub,
                                absl::Duration timeout);
  ~SnapshotUploadStream();

  // Unavailable once the stream broke; Finish then says why.
  absl::Status Write(const mfr::v1::SnapshotChunk& chunk);
  absl::StatusOr<mfr::v1::UploadSnapshotResponse> Finish();

 private:
  grpc::ClientContext context_;
  mfr::v1::UploadSnapshotResponse response_;
  std::unique_ptr<grpc::ClientWriterInterface<mfr::v1::SnapshotChunk>> writer_;
  bool finished_ = false;
};

class ControllerClient {
 public:
  ControllerClient(std::unique_ptr<mfr::v1::AgentService::StubInterface> stub,
                   absl::Duration timeout)
      : stub_(std::move(stub)), timeout_(timeout) {}

  absl::Status Register(const mfr::v1::RegisterRequest& request);
  std::unique_ptr<SnapshotUploadStream> StartUpload() {
    return std::make_unique<SnapshotUploadStream>(stub_.get(), timeout_);
  }

 private:
  std::unique_ptr<mfr::v1::AgentService::StubInterface> stub_;
  const absl::Duration timeout_;
};

}  // namespace mfr::agent

#endif  // MFR_AGENT_CONTROLLER_CLIENT_H_
