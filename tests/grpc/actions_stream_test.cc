// The Actions stream end to end over real gRPC: the controller plans an
// action into the host's durable outbox and sends it when the agent
// connects; the agent runs it at most once (its journal answers repeats)
// and the result moves the incident. A range with no snapshot makes the
// controller ask for a fresh snapshot and resolve the incident again.
#include <atomic>
#include <filesystem>
#include <sstream>
#include <thread>

#include "agent/actions/action_executor.h"
#include "agent/actions/action_journal.h"
#include "agent/actions/action_stream.h"
#include "agent/controller_client.h"
#include "common/grpc_endpoints.h"
#include "controller/controller_node.h"
#include "controller/recovery/planner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr {
namespace {

constexpr char kHost[] = "h1";
constexpr char kMount[] = "/mnt";

class ActionsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = std::filesystem::path(getenv("TEST_TMPDIR")) / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    StartController();
    mfr::v1::RegisterRequest r;
    r.set_host(kHost);
    auto* device = r.mutable_topology()->add_devices();
    device->set_name("loop7");
    device->set_size_bytes(1 << 30);
    auto* mount = r.mutable_topology()->add_mounts();
    mount->set_mount_point(kMount);
    mount->set_device("loop7");
    mount->set_fs_type("xfs");
    ASSERT_TRUE(client_->Register(r).ok());
    journal_ = *agent::actions::ActionJournal::Open(dir_ / "journal");
  }

  void TearDown() override { StopController(); }

  void StartController() {
    controller::ControllerNodeOptions options;
    options.db.path = dir_ / "db";
    node_ = *controller::ControllerNode::Open(options);
    int port = 0;
    server_ = *StartServer("127.0.0.1:0", {}, node_->services(), &port);
    channel_ = *MakeChannel(absl::StrCat("127.0.0.1:", port), {});
    client_ = std::make_unique<agent::ControllerClient>(
        mfr::v1::AgentService::NewStub(channel_), absl::Seconds(10));
    stub_ = mfr::v1::AgentService::NewStub(channel_);
  }

  void StopController() {
    if (!server_) return;
    node_->CloseAgentStreams();
    server_->Shutdown();
    server_.reset();
    node_.reset();
  }

  std::string Report() {
    mfr::v1::CorruptRangeRequest r;
    r.set_report_id("r1");
    r.set_host(kHost);
    r.set_device("loop7");
    r.mutable_range()->set_offset_bytes(8192);
    r.mutable_range()->set_length_bytes(512);
    r.set_length_exact(true);  // nothing to probe
    auto response = node_->incident_core()->Report(r, absl::Now());
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->incident_id() : "";
  }

  // A snapshot in which inode 42 ("f") owns the first MiB of loop7.
  absl::Status UploadSnapshot() {
    auto upload = client_->StartUpload();
    mfr::v1::SnapshotChunk chunk;
    auto* h = chunk.mutable_header();
    h->set_host(kHost);
    h->set_mount_point(kMount);
    h->set_device("loop7");
    h->set_generation(++generation_);
    h->set_physical_order(true);
    if (auto s = upload->Write(chunk); !s.ok()) return s;
    chunk.Clear();
    auto* r = chunk.mutable_batch()->add_records();
    r->set_length_bytes(1 << 20);
    r->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
    r->set_inode(42);
    auto* paths = chunk.mutable_batch()->add_inodes();
    paths->set_inode(42);
    paths->add_paths("f");
    if (auto s = upload->Write(chunk); !s.ok()) return s;
    chunk.Clear();
    chunk.mutable_footer()->set_record_count(1);
    chunk.mutable_footer()->set_inode_count(1);
    if (auto s = upload->Write(chunk); !s.ok()) return s;
    return upload->Finish().status();
  }

  // Serves the agent's side of the stream on a thread until `until` holds
  // for the incident (or 20 s pass).
  mfr::v1::Incident ServeUntil(
      const std::string& id,
      const std::function<bool(const mfr::v1::Incident&)>& until,
      std::function<absl::Status(const std::string&)> refresh) {
    agent::actions::ExecutorDeps deps;
    deps.refresh = std::move(refresh);
    deps.log = &log_;
    agent::actions::ActionExecutor executor(std::move(deps));
    absl::Notification stop;
    std::thread agent([&] {
      agent::actions::ServeActionsOnce(stub_.get(), kHost, journal_.get(),
                                       &executor, stop, &stats_, &log_)
          .IgnoreError();
    });
    mfr::v1::Incident incident;
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      incident = *node_->incident_queries()->Get(id);
      if (until(incident)) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    stop.Notify();
    agent.join();
    return incident;
  }

  std::filesystem::path dir_;
  std::unique_ptr<controller::ControllerNode> node_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<agent::ControllerClient> client_;
  std::unique_ptr<mfr::v1::AgentService::StubInterface> stub_;
  std::unique_ptr<agent::actions::ActionJournal> journal_;
  agent::actions::ActionStreamStats stats_;
  std::ostringstream log_;
  uint64_t generation_ = 0;
};

TEST_F(ActionsStreamTest, UnmappedRangeAsksForSnapshotsThenGivesUp) {
  const std::string id = Report();
  auto pending = node_->incident_core()->PendingActions(kHost);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_TRUE((*pending)[0].has_refresh_snapshot());

  std::atomic<int> refreshes{0};
  auto incident = ServeUntil(
      id,
      [](const mfr::v1::Incident& i) {
        return i.state() != mfr::v1::INCIDENT_STATE_OPEN;
      },
      [&](const std::string& mount) {
        EXPECT_EQ(mount, kMount);
        ++refreshes;
        return absl::OkStatus();  // "sent", yet still nothing covers it
      });
  EXPECT_EQ(incident.state(), mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION);
  EXPECT_EQ(refreshes.load(), controller::recovery::kMaxRefreshesPerMount);
  EXPECT_EQ(stats_.executed, 2u);
  EXPECT_TRUE(node_->incident_core()->PendingActions(kHost)->empty());
  EXPECT_THAT(incident.audit(),
              testing::Contains(testing::HasSubstr("giving up")));
}

TEST_F(ActionsStreamTest, FreshSnapshotNamesTheFileAndPlansItsRecovery) {
  const std::string id = Report();
  auto incident = ServeUntil(
      id,
      [](const mfr::v1::Incident& i) {
        return i.actions_size() >= 2 && i.actions(1).has_result();
      },
      [&](const std::string&) { return UploadSnapshot(); });
  ASSERT_EQ(incident.owners_size(), 1);
  EXPECT_EQ(incident.owners(0).inode(), 42u);
  EXPECT_THAT(incident.owners(0).paths(), testing::ElementsAre("f"));
  ASSERT_GE(incident.actions_size(), 2);
  EXPECT_TRUE(incident.actions(1).action().has_rewrite());
  // /mnt/f does not exist here: the agent refuses, it never guesses.
  EXPECT_EQ(incident.actions(1).result().outcome(),
            mfr::v1::ACTION_OUTCOME_STALE);
}

TEST_F(ActionsStreamTest, ARepeatedActionIsAnsweredFromTheJournal) {
  const std::string id = Report();
  // This agent already ran the action before a crash lost the answer.
  mfr::v1::ActionResult earlier;
  earlier.set_action_id(id + ".1");
  earlier.set_outcome(mfr::v1::ACTION_OUTCOME_FAILED);
  earlier.set_detail("from the journal");
  ASSERT_TRUE(journal_->MarkStarted(earlier.action_id()).ok());
  ASSERT_TRUE(journal_->Finish(earlier).ok());
  std::atomic<int> refreshes{0};
  auto incident = ServeUntil(
      id, [](const mfr::v1::Incident& i) { return i.actions(0).has_result(); },
      [&](const std::string&) {
        ++refreshes;
        return absl::OkStatus();
      });
  EXPECT_EQ(stats_.replayed, 1u);
  EXPECT_EQ(incident.actions(0).result().detail(), "from the journal");
  // Only the controller's retry (a new id, after the failure) ran here.
  EXPECT_EQ(static_cast<uint64_t>(refreshes.load()), stats_.executed);
}

TEST_F(ActionsStreamTest, PendingActionsSurviveAControllerRestart) {
  const std::string id = Report();
  StopController();  // before any agent connected
  StartController();
  ASSERT_EQ(node_->incident_core()->PendingActions(kHost)->size(), 1u);
  std::atomic<int> refreshes{0};
  auto incident = ServeUntil(
      id, [](const mfr::v1::Incident& i) { return i.actions(0).has_result(); },
      [&](const std::string&) {
        ++refreshes;
        return absl::OkStatus();
      });
  EXPECT_GE(refreshes.load(), 1);
  EXPECT_EQ(incident.actions(0).result().outcome(),
            mfr::v1::ACTION_OUTCOME_DONE);
}

}  // namespace
}  // namespace mfr
