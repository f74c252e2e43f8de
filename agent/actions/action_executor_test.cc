// The executor's actions that need no process or page cache: md check on
// a recorded sysfs tree (this kernel has no md), scrub and probe on a real
// XFS over a loop device, snapshot refresh, dry runs and bad input.
#include "agent/actions/action_executor.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs.h"

namespace mfr::agent::actions {
namespace {

using ::testing::HasSubstr;

std::string TempDir(const char* name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ActionExecutor Executor(
    const std::string& root,
    std::function<absl::Status(const std::string&)> refresh = nullptr) {
  ExecutorDeps deps;
  deps.root = root;
  deps.refresh = std::move(refresh);
  return ActionExecutor(std::move(deps));
}

mfr::v1::Action MdCheck(const std::string& array, bool dry_run = false) {
  mfr::v1::Action a;
  a.set_id("inc-1.1");
  a.set_dry_run(dry_run);
  a.mutable_md_check()->set_array(array);
  return a;
}

TEST(ActionExecutorTest, MdCheckOnARecordedTree) {
  const std::string root = TempDir("md");
  const std::string md = root + "/sys/block/md0/md";
  std::filesystem::create_directories(md);
  std::ofstream(md + "/sync_action") << "idle\n";
  auto executor = Executor(root);

  auto dry = executor.Execute(MdCheck("md0", /*dry_run=*/true));
  EXPECT_EQ(dry.outcome(), mfr::v1::ACTION_OUTCOME_DRY_RUN);
  EXPECT_EQ(ReadAll(md + "/sync_action"), "idle\n");

  auto done = executor.Execute(MdCheck("md0"));
  EXPECT_EQ(done.outcome(), mfr::v1::ACTION_OUTCOME_DONE) << done.detail();
  EXPECT_EQ(ReadAll(md + "/sync_action"), "check\n");

  std::ofstream(md + "/sync_action") << "resync\n";
  auto busy = executor.Execute(MdCheck("md0"));
  EXPECT_EQ(busy.outcome(), mfr::v1::ACTION_OUTCOME_DONE);
  EXPECT_THAT(busy.detail(), HasSubstr("already busy"));

  EXPECT_EQ(executor.Execute(MdCheck("md9")).outcome(),
            mfr::v1::ACTION_OUTCOME_FAILED);
  EXPECT_EQ(executor.Execute(MdCheck("../md0")).outcome(),
            mfr::v1::ACTION_OUTCOME_FAILED);
}

TEST(ActionExecutorTest, RefreshGoesThroughTheRunner) {
  std::string asked;
  auto executor = Executor("/", [&](const std::string& mount) {
    asked = mount;
    return mount == "/data" ? absl::OkStatus()
                            : absl::UnavailableError("controller down");
  });
  mfr::v1::Action a;
  a.set_id("inc-1.2");
  a.mutable_refresh_snapshot()->set_mount_point("/data");
  EXPECT_EQ(executor.Execute(a).outcome(), mfr::v1::ACTION_OUTCOME_DONE);
  EXPECT_EQ(asked, "/data");
  a.mutable_refresh_snapshot()->set_mount_point("/other");
  auto failed = executor.Execute(a);
  EXPECT_EQ(failed.outcome(), mfr::v1::ACTION_OUTCOME_FAILED);
  EXPECT_THAT(failed.detail(), HasSubstr("controller down"));
}

TEST(ActionExecutorTest, ScrubAndProbeOnARealXfs) {
  std::string why;
  if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  auto fs = mfr::testing::LoopFs::Create({});
  ASSERT_TRUE(fs.ok()) << fs.status();
  auto executor = Executor("/");

  mfr::v1::Action scrub;
  scrub.set_id("inc-2.1");
  scrub.mutable_scrub()->set_mount_point((*fs)->mount_point());
  auto scrubbed = executor.Execute(scrub);
  // Read-only either way; this kernel has no online scrub, so xfs_scrub
  // may say it could not check, and the answer says what to do instead.
  EXPECT_THAT(scrubbed.detail(), HasSubstr("xfs_scrub -n exit"));
  scrub.set_dry_run(true);
  EXPECT_EQ(executor.Execute(scrub).outcome(), mfr::v1::ACTION_OUTCOME_DRY_RUN);

  mfr::v1::Action probe;
  probe.set_id("inc-2.2");
  probe.mutable_probe()->set_device((*fs)->device_name());
  probe.mutable_probe()->mutable_range()->set_offset_bytes(1 << 20);
  probe.mutable_probe()->mutable_range()->set_length_bytes(1 << 20);
  auto probed = executor.Execute(probe);
  EXPECT_EQ(probed.outcome(), mfr::v1::ACTION_OUTCOME_DONE) << probed.detail();
  EXPECT_EQ(probed.bad_device_ranges_size(), 0);  // a healthy device
  EXPECT_GT(probed.device_io_seconds(), 0);
  probe.mutable_probe()->set_device("../sda");
  EXPECT_EQ(executor.Execute(probe).outcome(), mfr::v1::ACTION_OUTCOME_FAILED);
}

}  // namespace
}  // namespace mfr::agent::actions
