// The stateful recovery pieces: the policy file's reload, agent sessions,
// and the coordinator's kill rate limit and result bookkeeping.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "controller/recovery/action_dispatcher.h"
#include "controller/recovery/policy_file.h"
#include "controller/recovery/recovery_coordinator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::recovery {
namespace {

std::string TempPath(const char* name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name + "." +
         std::to_string(getpid());
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

TEST(PolicyFileTest, ReloadsWhenChangedAndKeepsTheLastGoodPolicy) {
  const std::string path = TempPath("policy");
  Write(path, "dry_run: true\n");
  std::ostringstream log;
  auto file = PolicyFile::Open(path, &log);
  ASSERT_TRUE(file.ok()) << file.status();
  absl::Time t = absl::FromUnixSeconds(1000);
  EXPECT_EQ((*file)->Current(t).rewrite, Mode::kDryRun);

  Write(path, "rewrite: ACTION_MODE_DISABLED # a longer file\n");
  EXPECT_EQ((*file)->Current(t + absl::Seconds(2)).rewrite, Mode::kDisabled);

  Write(path, "rewrite: NOT_A_MODE and some more text\n");
  EXPECT_EQ((*file)->Current(t + absl::Seconds(4)).rewrite, Mode::kDisabled);
  EXPECT_THAT(log.str(), testing::HasSubstr("NOT reloaded"));
  unlink(path.c_str());
}

TEST(PolicyFileTest, MissingOrBadFileIsAnErrorAtStart) {
  std::ostringstream log;
  EXPECT_EQ(PolicyFile::Open(TempPath("absent"), &log).status().code(),
            absl::StatusCode::kNotFound);
  const std::string path = TempPath("bad");
  Write(path, "kill_signal: SIGTERM\n");
  EXPECT_EQ(PolicyFile::Open(path, &log).status().code(),
            absl::StatusCode::kInvalidArgument);
  unlink(path.c_str());
  auto defaults = PolicyFile::Open("", &log);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ((*defaults)->Current(absl::Now()).rewrite, Mode::kEnabled);
}

TEST(DispatcherTest, OffersReachTheCurrentSessionOnly) {
  ActionDispatcher dispatcher;
  int cancelled = 0;
  auto first = std::make_shared<AgentSession>("h1", [&] { ++cancelled; });
  dispatcher.Attach(first);
  mfr::v1::Action a;
  a.set_id("inc-1.1");
  dispatcher.Offer("h1", {a});
  dispatcher.Offer("h2", {a});  // nobody connected: stays in the outbox
  auto got = first->Pop(absl::Seconds(1));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id(), "inc-1.1");
  EXPECT_FALSE(first->Pop(absl::Milliseconds(10)).has_value());

  auto second = std::make_shared<AgentSession>("h1", nullptr);
  dispatcher.Attach(second);  // a reconnect closes the older stream
  EXPECT_TRUE(first->closed());
  EXPECT_EQ(cancelled, 1);
  dispatcher.Detach(first);  // the old handler ending must not drop the new
  EXPECT_TRUE(dispatcher.Connected("h1"));

  std::thread waiter([&] { EXPECT_FALSE(second->Pop(absl::Seconds(30))); });
  dispatcher.CloseAll();  // wakes the blocked writer
  waiter.join();
  EXPECT_FALSE(dispatcher.Connected("h1"));
}

mfr::v1::Incident DaxIncident(const std::string& id, int owners) {
  mfr::v1::Incident incident;
  incident.set_id(id);
  incident.set_host("h1");
  for (int i = 0; i < owners; ++i) {
    auto* o = incident.add_owners();
    o->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
    o->set_mount_point("/pmem");
    o->set_inode(100 + i);
    o->add_paths("f" + std::to_string(i));
    o->mutable_file_range()->set_length_bytes(4096);
    o->mutable_device_range()->set_offset_bytes(4096 * i);
    o->mutable_device_range()->set_length_bytes(4096);
  }
  return incident;
}

TEST(CoordinatorTest, KillRateLimitSpansIncidentsOfOneHost) {
  const std::string path = TempPath("limit");
  Write(path, "max_kills_per_host_per_minute: 3\n");
  std::ostringstream log;
  auto policy = PolicyFile::Open(path, &log);
  ASSERT_TRUE(policy.ok());
  RecoveryCoordinator coordinator(policy->get());
  mfr::v1::Topology topology;
  auto* mount = topology.add_mounts();
  mount->set_mount_point("/pmem");
  mount->set_dax(mfr::v1::DAX_MODE_ALWAYS);
  const absl::Time t = absl::FromUnixSeconds(5000);

  auto a = DaxIncident("inc-1", 2);
  auto b = DaxIncident("inc-2", 2);
  auto planned_a = coordinator.Plan(&a, topology, t);
  auto planned_b = coordinator.Plan(&b, topology, t + absl::Seconds(1));
  ASSERT_EQ(planned_a.size(), 2u);
  ASSERT_EQ(planned_b.size(), 2u);
  EXPECT_FALSE(planned_b[0].dry_run());
  EXPECT_TRUE(planned_b[1].dry_run());  // the 4th kill within a minute
  auto c = DaxIncident("inc-3", 1);
  EXPECT_FALSE(
      coordinator.Plan(&c, topology, t + absl::Seconds(61))[0].dry_run());
  EXPECT_EQ(a.state(), mfr::v1::INCIDENT_STATE_OPEN);
  unlink(path.c_str());
}

TEST(CoordinatorTest, ResultsAreRecordedOnceAndAudited) {
  std::ostringstream log;
  auto policy = PolicyFile::Open("", &log);
  RecoveryCoordinator coordinator(policy->get());
  auto incident = DaxIncident("inc-4", 1);
  auto actions = coordinator.Plan(&incident, mfr::v1::Topology(), absl::Now());
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(actions[0].has_rewrite());
  mfr::v1::ActionResult result;
  result.set_action_id(actions[0].id());
  result.set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  auto* r = result.add_recovered_file_ranges();
  r->set_length_bytes(4096);
  EXPECT_EQ(coordinator.ApplyResult(&incident, result, absl::Now()),
            ResultFate::kApplied);
  EXPECT_EQ(incident.state(), mfr::v1::INCIDENT_STATE_RECOVERED);
  EXPECT_EQ(coordinator.ApplyResult(&incident, result, absl::Now()),
            ResultFate::kAlreadyAnswered);
  result.set_action_id("inc-4.99");
  EXPECT_EQ(coordinator.ApplyResult(&incident, result, absl::Now()),
            ResultFate::kUnknownAction);
  EXPECT_THAT(incident.audit(incident.audit_size() - 1),
              testing::HasSubstr("recovered file bytes 0+4096"));
}

}  // namespace
}  // namespace mfr::controller::recovery
