// The controller's gRPC surface on a real loopback server: the agent-side
// client uploads snapshots; cut streams, garbage and out-of-order chunks
// get clear status codes and leave the previous snapshot intact.

#include <filesystem>

#include "agent/controller_client.h"
#include "common/grpc_endpoints.h"
#include "controller/controller_node.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"

namespace mfr {
namespace {

using mfr::v1::SnapshotChunk;

class AgentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    controller::ControllerNodeOptions options;
    options.db.path =
        std::filesystem::path(getenv("TEST_TMPDIR")) /
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    node_ = *controller::ControllerNode::Open(options);
    int port = 0;
    server_ = *StartServer("127.0.0.1:0", {}, node_->services(), &port);
    channel_ = *MakeChannel(absl::StrCat("127.0.0.1:", port), {});
    client_ = std::make_unique<agent::ControllerClient>(
        mfr::v1::AgentService::NewStub(channel_), absl::Seconds(10));
    mfr::v1::RegisterRequest r;
    r.set_host("h1");
    ASSERT_TRUE(client_->Register(r).ok());
  }
  void TearDown() override { server_->Shutdown(); }

  static std::vector<SnapshotChunk> Snapshot(uint64_t generation,
                                             uint64_t inode) {
    std::vector<SnapshotChunk> chunks(3);
    auto* h = chunks[0].mutable_header();
    h->set_host("h1");
    h->set_mount_point("/mnt");
    h->set_device("loop7");
    h->set_generation(generation);
    h->set_physical_order(true);
    auto* r = chunks[1].mutable_batch()->add_records();
    r->set_length_bytes(4096);
    r->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
    r->set_inode(inode);
    chunks[2].mutable_footer()->set_record_count(1);
    return chunks;
  }

  absl::Status Upload(const std::vector<SnapshotChunk>& chunks) {
    auto upload = client_->StartUpload();
    for (const auto& c : chunks) {
      if (!upload->Write(c).ok()) break;
    }
    return upload->Finish().status();
  }

  uint64_t OwnerInode() {
    auto stub = mfr::v1::QueryService::NewStub(channel_);
    grpc::ClientContext ctx;
    mfr::v1::QueryRangeRequest q;
    q.set_host("h1");
    q.set_device("loop7");
    q.mutable_range()->set_length_bytes(1);
    mfr::v1::QueryRangeResponse response;
    grpc::Status s = stub->QueryRange(&ctx, q, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.owners_size() > 0 ? response.owners(0).inode() : 0;
  }

  std::unique_ptr<controller::ControllerNode> node_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<agent::ControllerClient> client_;
};

TEST_F(AgentServiceTest, HealthServiceAnswers) {
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(stub->Check(&ctx, {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(AgentServiceTest, UploadThenReplace) {
  ASSERT_TRUE(Upload(Snapshot(1, 11)).ok());
  EXPECT_EQ(OwnerInode(), 11u);
  ASSERT_TRUE(Upload(Snapshot(2, 22)).ok());
  EXPECT_EQ(OwnerInode(), 22u);
}

TEST_F(AgentServiceTest, BadStreamsLeaveThePreviousSnapshot) {
  ASSERT_TRUE(Upload(Snapshot(1, 11)).ok());
  auto good = Snapshot(2, 22);
  auto garbage = good;
  garbage[1].mutable_batch()->mutable_records(0)->set_length_bytes(0);
  auto bad_count = good;
  bad_count[2].mutable_footer()->set_record_count(5);
  const struct {
    const char* what;
    std::vector<SnapshotChunk> chunks;
    absl::StatusCode code;
  } cases[] = {
      {"no footer (stream ends early)",
       {good[0], good[1]},
       absl::StatusCode::kInvalidArgument},
      {"garbage record", garbage, absl::StatusCode::kInvalidArgument},
      {"footer counts differ", bad_count, absl::StatusCode::kInvalidArgument},
      {"batch before header",
       {good[1], good[0], good[2]},
       absl::StatusCode::kInvalidArgument},
      {"empty chunk", {SnapshotChunk()}, absl::StatusCode::kInvalidArgument},
      {"stale generation", Snapshot(1, 33),
       absl::StatusCode::kFailedPrecondition},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Upload(c.chunks).code(), c.code) << c.what;
    EXPECT_EQ(OwnerInode(), 11u) << c.what;
  }
}

TEST_F(AgentServiceTest, CancelledMidStreamLeavesThePreviousSnapshot) {
  ASSERT_TRUE(Upload(Snapshot(1, 11)).ok());
  {
    auto upload = client_->StartUpload();
    auto chunks = Snapshot(2, 22);
    ASSERT_TRUE(upload->Write(chunks[0]).ok());
    ASSERT_TRUE(upload->Write(chunks[1]).ok());
  }  // destroyed unfinished: the call is cancelled
  EXPECT_EQ(OwnerInode(), 11u);
}

TEST_F(AgentServiceTest, MalformedReportIsInvalidArgument) {
  auto stub = mfr::v1::AgentService::NewStub(channel_);
  grpc::ClientContext ctx;
  mfr::v1::CorruptRangeResponse response;
  EXPECT_EQ(stub->CorruptRange(&ctx, {}, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace mfr
