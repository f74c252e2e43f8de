// ProcessKiller decisions against a fake /proc tree and a fake
// ProcessControl: nothing here sends a real signal.
#include "agent/recovery/process_killer.h"

#include <signal.h>

#include <sstream>
#include <string>

#include "agent/recovery/fake_proc_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr uint32_t kUserFlags = 0x400100;
constexpr uint32_t kKthreadFlags = 0x208040;
constexpr pid_t kSelf = 500;
const char kMapsDamaged[] =
    "7f0000000000-7f0000002000 rw-s 00001000 07:00 42 /mnt/db/data\n";

class ProcessKillerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto finder = MapperFinder::Create(tree_.root(), kSelf);
    ASSERT_TRUE(finder.ok()) << finder.status();
    finder_ = *std::move(finder);
    killer_ = std::make_unique<ProcessKiller>(finder_.get(), &control_);
    query_.dev_major = 7;
    query_.inode = 42;
    query_.file_range = {0x2000, 0x1000};
    options_.log = &log_;
  }
  void AddMapper(pid_t pid, const std::string& comm) {
    tree_.AddProcess(pid, comm, kUserFlags, kMapsDamaged);
    control_.alive.insert(pid);
  }
  KillRecord KillOne(pid_t pid) {
    return killer_->KillOne(pid, query_, options_);
  }

  FakeProcTree tree_;
  FakeProcessControl control_;
  std::unique_ptr<MapperFinder> finder_;
  std::unique_ptr<ProcessKiller> killer_;
  MapperQuery query_;
  KillOptions options_;
  std::ostringstream log_;
};

TEST_F(ProcessKillerTest, SignalsAStillMappingProcessWithSigbus) {
  AddMapper(100, "db");
  KillRecord r = KillOne(100);
  EXPECT_EQ(r.outcome, KillOutcome::kSignalled) << r.detail;
  EXPECT_EQ(r.comm, "db");
  EXPECT_THAT(r.maps_lines, ElementsAre(HasSubstr("/mnt/db/data")));
  EXPECT_THAT(control_.sent, ElementsAre(Pair(100, SIGBUS)));
  EXPECT_THAT(log_.str(), HasSubstr("pid 100 (db): signalled"));
  EXPECT_THAT(log_.str(), HasSubstr("SIGBUS"));
  EXPECT_THAT(log_.str(), HasSubstr("maps: 7f0000000000-7f0000002000"));
}

TEST_F(ProcessKillerTest, ConfiguredSignal) {
  AddMapper(100, "db");
  options_.signal = SIGKILL;
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kSignalled);
  EXPECT_THAT(control_.sent, ElementsAre(Pair(100, SIGKILL)));
}

TEST_F(ProcessKillerTest, DryRunSignalsNothing) {
  AddMapper(100, "db");
  options_.dry_run = true;
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kWouldSignal);
  EXPECT_THAT(control_.sent, IsEmpty());
  EXPECT_THAT(log_.str(), HasSubstr("would signal"));
  EXPECT_THAT(log_.str(), HasSubstr("dry run"));
}

TEST_F(ProcessKillerTest, RefusesSpecialPidsWithoutLooking) {
  for (pid_t pid : {0, -1, 1, kSelf}) {
    AddMapper(pid > 0 ? pid : 100, "x");
    EXPECT_EQ(KillOne(pid).outcome, KillOutcome::kRefused) << pid;
  }
  EXPECT_THAT(control_.sent, IsEmpty());
}

TEST_F(ProcessKillerTest, RefusesExcludedAndKernelThreads) {
  AddMapper(100, "backup");
  tree_.AddProcess(2, "kthreadd", kKthreadFlags, kMapsDamaged);
  control_.alive.insert(2);
  options_.exclusions.comms = {"backup"};
  KillRecord excluded = KillOne(100);
  EXPECT_EQ(excluded.outcome, KillOutcome::kRefused);
  EXPECT_EQ(excluded.detail, "command excluded");
  EXPECT_EQ(KillOne(2).outcome, KillOutcome::kRefused);
  EXPECT_THAT(control_.sent, IsEmpty());
}

TEST_F(ProcessKillerTest, GoneIsNotAnErrorAndRepeatingIsHarmless) {
  AddMapper(100, "db");
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kSignalled);
  control_.alive.erase(100);  // it died of the signal
  tree_.Remove(100);
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kGone);
  EXPECT_EQ(control_.sent.size(), 1u);
}

TEST_F(ProcessKillerTest, ExitAfterPinningIsGone) {
  AddMapper(100, "db");
  control_.after_open = [&](pid_t pid) { control_.alive.erase(pid); };
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kGone);
  EXPECT_THAT(control_.sent, IsEmpty());
}

TEST_F(ProcessKillerTest, PidReusedByANonMapperIsLeftAlone) {
  AddMapper(100, "db");
  // The mapper exits and an unrelated process gets pid 100 between the
  // scan and the kill: its maps do not cover the range.
  control_.after_open = [&](pid_t pid) {
    tree_.AddProcess(pid, "newcomer", kUserFlags, "");
  };
  KillRecord r = KillOne(100);
  EXPECT_EQ(r.outcome, KillOutcome::kNoLongerMaps);
  EXPECT_EQ(r.comm, "newcomer");
  EXPECT_THAT(control_.sent, IsEmpty());
}

TEST_F(ProcessKillerTest, InvalidSignalFails) {
  AddMapper(100, "db");
  options_.signal = 0;
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kFailed);
  options_.signal = 1000;
  EXPECT_EQ(KillOne(100).outcome, KillOutcome::kFailed);
  EXPECT_THAT(control_.sent, IsEmpty());
}

TEST_F(ProcessKillerTest, KillsAListInOrder) {
  AddMapper(100, "a");
  AddMapper(101, "b");
  std::vector<KillRecord> records =
      killer_->Kill({100, 1, 101}, query_, options_);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].outcome, KillOutcome::kSignalled);
  EXPECT_EQ(records[1].outcome, KillOutcome::kRefused);
  EXPECT_EQ(records[2].outcome, KillOutcome::kSignalled);
}

}  // namespace
}  // namespace mfr::agent::recovery
