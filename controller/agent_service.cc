#include "controller/agent_service.h"

#include <iostream>
#include <thread>
#include <vector>

#include "common/grpc_endpoints.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "google/protobuf/arena.h"

namespace mfr::controller {
namespace {

// Room for a parsed chunk of the agent's default batch (4,096 records of
// about 64 bytes in memory each), with margin.
constexpr size_t kChunkArenaBytes = 2 << 20;

}  // namespace

grpc::Status AgentServiceImpl::Register(grpc::ServerContext* context,
                                        const mfr::v1::RegisterRequest* request,
                                        mfr::v1::RegisterResponse* response) {
  const absl::Time start = absl::Now();
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
  metrics_->CountRequest("Register", ToGrpcStatus(status), absl::Now() - start);
  return ToGrpcStatus(status);
}

grpc::Status AgentServiceImpl::UploadSnapshot(
    grpc::ServerContext* context,
    grpc::ServerReader<mfr::v1::SnapshotChunk>* reader,
    mfr::v1::UploadSnapshotResponse* response) {
  const absl::Time start = absl::Now();
  grpc::Status status = ReceiveSnapshot(context, reader, response);
  metrics_->CountRequest("UploadSnapshot", status, absl::Now() - start);
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
  // Each chunk is parsed into an arena that is reset after it: thousands of
  // records cost no malloc and free each (a third of a snapshot's parsing).
  // The initial block is kept across resets; a larger chunk spills over.
  std::vector<char> first_block(kChunkArenaBytes);
  google::protobuf::ArenaOptions arena_options;
  arena_options.initial_block = first_block.data();
  arena_options.initial_block_size = first_block.size();
  google::protobuf::Arena arena(arena_options);
  for (;;) {
    auto* chunk =
        google::protobuf::Arena::CreateMessage<mfr::v1::SnapshotChunk>(&arena);
    if (!reader->Read(chunk)) break;
    if (auto s = upload->Accept(*chunk, authorize); !s.ok()) {
      std::clog << "snapshot upload refused: " << s << "\n";
      return ToGrpcStatus(s);
    }
    arena.Reset();
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
  const absl::Time start = absl::Now();
  absl::Status status = CheckPeerIsHost(*context, request->host());
  if (status.ok()) {
    auto result = incidents_->Report(*request, clock_());
    status = result.status();
    if (result.ok()) {
      *response = *std::move(result);
      metrics_->CountReport(*request, response->duplicate());
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
  metrics_->CountRequest("CorruptRange", ToGrpcStatus(status),
                         absl::Now() - start);
  return ToGrpcStatus(status);
}

grpc::Status AgentServiceImpl::Actions(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<mfr::v1::Action, mfr::v1::AgentMessage>* stream) {
  const absl::Time start = absl::Now();
  grpc::Status status = RunActionStream(context, stream);
  metrics_->CountRequest("Actions", status, absl::Now() - start);
  return status;
}

// The stream's writer runs on its own thread, draining the host's session;
// this thread reads results. The outbox is replayed after the session is
// attached, so an action planned meanwhile may be sent twice: the agent
// never runs an id twice and answers a repeat with its stored result.
grpc::Status AgentServiceImpl::RunActionStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<mfr::v1::Action, mfr::v1::AgentMessage>* stream) {
  mfr::v1::AgentMessage message;
  if (!stream->Read(&message)) return grpc::Status::OK;
  if (message.msg_case() != mfr::v1::AgentMessage::kHelloHost) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message must be hello_host");
  }
  const std::string host = message.hello_host();
  absl::Status status = ValidateHostName(host);
  if (status.ok()) status = CheckPeerIsHost(*context, host);
  if (!status.ok()) return ToGrpcStatus(status);
  auto pending = incidents_->PendingActions(host);
  if (!pending.ok()) return ToGrpcStatus(pending.status());
  auto session = std::make_shared<recovery::AgentSession>(
      host, [context] { context->TryCancel(); });
  dispatcher_->Attach(session);
  for (auto& action : *pending) session->Push(std::move(action));
  std::clog << "agent " << host << " connected for actions; " << pending->size()
            << " pending\n";
  std::thread writer([session, stream] {
    while (!session->closed()) {
      auto action = session->Pop(absl::Milliseconds(500));
      if (!action) continue;
      if (!stream->Write(*action)) {
        session->Close();
        return;
      }
      std::clog << "action " << action->id() << " sent to " << session->host()
                << "\n";
    }
  });
  while (stream->Read(&message)) {
    if (message.msg_case() != mfr::v1::AgentMessage::kResult) continue;
    absl::Status applied =
        incidents_->ApplyActionResult(host, message.result(), clock_());
    std::clog << "action " << message.result().action_id() << " on " << host
              << ": " << mfr::v1::ActionOutcome_Name(message.result().outcome())
              << (applied.ok() ? "" : " (not applied: ")
              << (applied.ok() ? "" : applied.ToString())
              << (applied.ok() ? "" : ")") << "\n";
  }
  session->Close();
  dispatcher_->Detach(session);
  writer.join();
  std::clog << "agent " << host << " disconnected from actions\n";
  return grpc::Status::OK;
}

}  // namespace mfr::controller
