// Drives the pmem watcher over a copy of the recorded tree
// (testdata/README.md), changing badblocks files between polls. This kernel
// has no pmem, so recorded trees are the only way to run it.
#include "agent/pmem/pmem_watcher.h"

#include <filesystem>
#include <sstream>

#include "agent/pmem/recorded_tree.h"
#include "common/state_file.h"
#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kGiB;
using testing::kMiB;
using ::testing::UnorderedElementsAre;

class FakeNdctl : public NdctlSource {
 public:
  absl::StatusOr<std::string> ListMediaErrors() override { return answer; }
  absl::StatusOr<std::string> answer = std::string("[]");
};

// device, offset, length, source of a pending report.
using Pending = std::tuple<std::string, uint64_t, uint64_t, int>;

class PmemWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = testing::MaterializeRecordedTree("watcher_tree");
    ASSERT_TRUE(root.ok()) << root.status();
    root_ = *root;
    fs_ = *topology::RootedFs::Open(root_);
    state_dir_ = topology::testing::MakeTempDir("watcher_state");
    OpenOutbox(10000);
  }

  void OpenOutbox(size_t max_entries) {
    outbox_.reset();
    report::OutboxOptions options;
    options.path = state_dir_ + "/outbox";
    options.max_entries = max_entries;
    outbox_ = *report::Outbox::Open(options);
  }

  std::unique_ptr<PmemWatcher> Start(NdctlSource* ndctl = nullptr) {
    PmemWatcherOptions options;
    options.host = "h1";
    options.state_path = state_path();
    auto w = PmemWatcher::Open(options, fs_.get(), ndctl, outbox_.get(),
                               &layouts_, &log_);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *std::move(w) : nullptr;
  }

  std::string state_path() const { return state_dir_ + "/pmem.state"; }

  void Write(const char* file, const char* content) {
    ASSERT_TRUE(testing::WriteTreeFile(root_, file, content).ok());
  }

  std::vector<Pending> PendingReports() {
    std::vector<Pending> out;
    auto pending = outbox_->Pending();
    EXPECT_TRUE(pending.ok()) << pending.status();
    for (const auto& e : *pending) {
      const auto& r = e.request;
      out.emplace_back(r.device(), r.range().offset_bytes(),
                       r.range().length_bytes(), r.source());
    }
    return out;
  }

  void AckAll() {
    for (const std::string& id : outbox_->PendingIds()) {
      ASSERT_TRUE(outbox_->Ack(id).ok());
    }
  }

  static constexpr int kSysfs = mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS;
  std::string root_, state_dir_;
  std::unique_ptr<topology::RootedFs> fs_;
  std::unique_ptr<report::Outbox> outbox_;
  PmemAddressMap layouts_;
  std::ostringstream log_;
};

TEST_F(PmemWatcherTest, NewOnceClearedNoticedRestartQuietRecurrenceNew) {
  auto watcher = Start();
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  ASSERT_TRUE(watcher->Poll(t0).ok()) << log_.str();
  // The tree's badblocks: region0 and pmem0 agree, the info-block and
  // devdax errors land on no block device, region1 and pmem1 agree.
  EXPECT_THAT(PendingReports(),
              UnorderedElementsAre(Pending{"pmem0", 0, 4096, kSysfs},
                                   Pending{"pmem0", kGiB, 512, kSysfs},
                                   Pending{"pmem1", 512 * kMiB, 4096, kSysfs}));
  EXPECT_EQ(layouts_.namespaces().size(), 3u);
  ASSERT_TRUE(watcher->Poll(t0 + absl::Seconds(10)).ok());
  EXPECT_EQ(watcher->counters().reported, 3u);
  AckAll();

  // A new poison range appears in the region's list first (pmem0 byte
  // 64 MiB + 12 KiB), then in pmem0's own: reported once.
  Write(testing::kRegion0Badblocks,
        "8 8\n4088 16\n135192 8\n2101248 1\n16777216 8\n16781312 8\n");
  ASSERT_TRUE(watcher->Poll(t0 + absl::Seconds(20)).ok());
  Write(testing::kPmem0Badblocks, "0 8\n131096 8\n2097152 1\n");
  ASSERT_TRUE(watcher->Poll(t0 + absl::Seconds(30)).ok());
  EXPECT_THAT(PendingReports(), UnorderedElementsAre(Pending{
                                    "pmem0", 64 * kMiB + 12288, 4096, kSysfs}));
  EXPECT_EQ(watcher->counters().reported, 4u);
  EXPECT_THAT(log_.str(), HasSubstr("region0/badblocks via namespace0.0"));
  const std::string first_id = outbox_->PendingIds().front();
  AckAll();

  // The 1 GiB range is cleared (a write through pmem0 cleared the poison).
  Write(testing::kRegion0Badblocks,
        "8 8\n4088 16\n135192 8\n16777216 8\n16781312 8\n");
  Write(testing::kPmem0Badblocks, "0 8\n131096 8\n");
  ASSERT_TRUE(watcher->Poll(t0 + absl::Seconds(40)).ok());
  EXPECT_EQ(watcher->counters().cleared, 1u);
  EXPECT_THAT(log_.str(),
              HasSubstr("pmem0 bytes 1073741824+512 no longer listed bad"));
  EXPECT_THAT(PendingReports(), IsEmpty());

  // A restart reads the known set back: nothing is reported again.
  watcher.reset();
  watcher = Start();
  ASSERT_TRUE(watcher->Poll(t0 + absl::Seconds(50)).ok());
  EXPECT_EQ(watcher->counters().reported, 0u);
  EXPECT_THAT(PendingReports(), IsEmpty());

  // The cleared range goes bad again: a new report, with a new id.
  Write(testing::kPmem0Badblocks, "0 8\n131096 8\n2097152 1\n");
  ASSERT_TRUE(watcher->Poll(t0 + absl::Seconds(60)).ok());
  EXPECT_THAT(PendingReports(),
              UnorderedElementsAre(Pending{"pmem0", kGiB, 512, kSysfs}));
  EXPECT_NE(outbox_->PendingIds().front(), first_id);
}

TEST_F(PmemWatcherTest, AReplayBeforeTheStateWasStoredGivesTheSameIds) {
  auto watcher = Start();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  const std::vector<std::string> ids = outbox_->PendingIds();
  AckAll();
  // As if the agent died after the outbox write, before the state write.
  std::filesystem::remove(state_path());
  watcher = Start();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(outbox_->PendingIds(), ids);  // the controller answers duplicate
}

TEST_F(PmemWatcherTest, NdctlAgreesWithSysfsAndItsFailureClearsNothing) {
  FakeNdctl ndctl;
  ndctl.answer = topology::testing::ReadTestData(testing::kNdctlJson);
  auto watcher = Start(&ndctl);
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().reported, 3u);  // ndctl repeats sysfs
  // The sysfs lists empty, ndctl failing: ndctl might still list them.
  for (const char* f : {testing::kRegion0Badblocks, testing::kPmem0Badblocks,
                        testing::kRegion1Badblocks, testing::kPmem1Badblocks}) {
    Write(f, "");
  }
  ndctl.answer = absl::InternalError("ndctl exited with status 1");
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().cleared, 0u);
  EXPECT_EQ(watcher->counters().source_errors, 1u);
  EXPECT_THAT(log_.str(), HasSubstr("pmem source: ndctl: ndctl exited"));
  // ndctl answers with nothing bad either: now everything is cleared.
  ndctl.answer = std::string("[]");
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().cleared, 3u);
}

TEST_F(PmemWatcherTest, AnUnreadableFileClearsNothingOnItsDevice) {
  auto watcher = Start();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  Write(testing::kPmem0Badblocks, "garbage\n");
  Write(testing::kRegion0Badblocks, "");
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().cleared, 0u);
  EXPECT_THAT(log_.str(), HasSubstr("pmem source: sys/block/pmem0/badblocks"));
}

TEST_F(PmemWatcherTest, AFullOutboxRefusesAndTheNextPollRetries) {
  OpenOutbox(2);
  auto watcher = Start();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());  // full is not an error
  EXPECT_EQ(watcher->counters().reported, 2u);
  EXPECT_EQ(watcher->counters().refused, 1u);
  AckAll();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().reported, 3u);
  EXPECT_EQ(PendingReports().size(), 1u);
  AckAll();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().reported, 3u);
}

TEST_F(PmemWatcherTest, ACorruptStateFileIsSetAside) {
  ASSERT_TRUE(WriteStateFile(state_path(), "not a state file\n").ok());
  auto watcher = Start();
  EXPECT_TRUE(std::filesystem::exists(state_path() + ".corrupt"));
  EXPECT_THAT(log_.str(), HasSubstr("starting with no known badblocks"));
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(watcher->counters().reported, 3u);
}

TEST_F(PmemWatcherTest, LayoutsFollowTheTree) {
  auto watcher = Start();
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(layouts_.FromPhysical({testing::kPmem0DataStart, 4096}),
            (DeviceSpan{"pmem0", {0, 4096}}));
  // namespace1.0 is destroyed: pmem1 goes, and its ranges are cleared.
  std::filesystem::remove_all(root_ +
                              "/sys/bus/nd/devices/region1/namespace1.0");
  std::filesystem::remove(root_ + "/sys/block/pmem1");
  ASSERT_TRUE(watcher->Poll(absl::Now()).ok());
  EXPECT_EQ(layouts_.namespaces().size(), 2u);
  EXPECT_EQ(layouts_.FromPhysical({testing::kRegion1Start, 4096}),
            std::nullopt);
  EXPECT_EQ(watcher->counters().cleared, 1u);
}

}  // namespace
}  // namespace mfr::agent::pmem
