// The DAX action end to end on real processes: three helpers map files on
// a real XFS on a loop device; only the one that maps the damaged range of
// file A is found and killed (dry run kills none). Needs root; skipped
// visibly otherwise. Every helper is killed and reaped however the test
// ends (and dies with the test process anyway: PR_SET_PDEATHSIG).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/recovery/mapper_finder.h"
#include "agent/recovery/process_control.h"
#include "agent/recovery/process_killer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs.h"

namespace mfr::agent::recovery {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string HelperPath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir ? srcdir : ".", "/mfr/agent/recovery/mmap_helper");
}

// One running mmap_helper; killed (SIGKILL) and reaped on destruction
// unless the test reaped it.
class Helper {
 public:
  // Starts it and waits for "ready" (the mapping exists).
  static std::unique_ptr<Helper> Start(const std::string& path, uint64_t offset,
                                       uint64_t length) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return nullptr;
    const std::string exe = HelperPath();
    const std::string off = std::to_string(offset);
    const std::string len = std::to_string(length);
    const pid_t pid = fork();
    if (pid < 0) {  // never build a Helper of -1: kill(-1) hits everyone
      close(out[0]);
      close(out[1]);
      return nullptr;
    }
    if (pid == 0) {
      dup2(out[1], STDOUT_FILENO);
      execl(exe.c_str(), exe.c_str(), path.c_str(), off.c_str(), len.c_str(),
            nullptr);
      _exit(127);
    }
    close(out[1]);
    std::unique_ptr<Helper> helper(new Helper(pid));
    char buf[6] = {};
    const bool ready = read(out[0], buf, 6) == 6;
    close(out[0]);
    if (!ready) return nullptr;  // the destructor reaps it
    return helper;
  }
  ~Helper() {
    if (reaped_) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  bool Running() const { return !reaped_ && kill(pid_, 0) == 0 && !Exited(); }
  // Waits for it to end; the wait status.
  int Reap() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  explicit Helper(pid_t pid) : pid_(pid) {}  // pid > 0
  bool Exited() const {
    siginfo_t info = {};
    return waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid_;
  }
  pid_t pid_;
  bool reaped_ = false;
};

class MapperKillLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
    ASSERT_EQ(access(HelperPath().c_str(), X_OK), 0) << HelperPath();
    auto fs = mfr::testing::LoopFs::Create({});
    ASSERT_TRUE(fs.ok()) << fs.status();
    fs_ = *std::move(fs);
    a_ = fs_->mount_point() + "/file A";
    b_ = fs_->mount_point() + "/file B";
    WriteFile(a_, 64 << 10);
    WriteFile(b_, 64 << 10);
    struct stat st;
    ASSERT_EQ(stat(a_.c_str(), &st), 0);
    query_.dev_major = major(st.st_dev);
    query_.dev_minor = minor(st.st_dev);
    query_.inode = st.st_ino;
    query_.file_range = {4096, 4096};  // the damaged page of file A
    auto finder = MapperFinder::Create();
    ASSERT_TRUE(finder.ok()) << finder.status();
    finder_ = *std::move(finder);
    // One maps the damaged page, one another range of A, one file B.
    damaged_ = Helper::Start(a_, 0, 8192);
    elsewhere_ = Helper::Start(a_, 32768, 8192);
    other_file_ = Helper::Start(b_, 0, 8192);
    ASSERT_TRUE(damaged_ && elsewhere_ && other_file_) << "helpers start";
  }
  void WriteFile(const std::string& path, size_t size) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    const std::string data(size, 'm');
    ASSERT_EQ(write(fd, data.data(), size), static_cast<ssize_t>(size));
    ASSERT_EQ(fsync(fd), 0);
    close(fd);
  }

  // Declared first, destroyed last: helpers die before the unmount.
  std::unique_ptr<mfr::testing::LoopFs> fs_;
  std::string a_, b_;
  MapperQuery query_;
  std::unique_ptr<MapperFinder> finder_;
  PidfdProcessControl control_;
  std::unique_ptr<Helper> damaged_, elsewhere_, other_file_;
};

TEST_F(MapperKillLiveTest, FindsAndKillsOnlyTheMapperOfTheDamagedRange) {
  absl::StatusOr<MapperScan> scan = finder_->Find(query_, {});
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_THAT(scan->candidates,
              ElementsAre(Field(&MapperCandidate::pid, damaged_->pid())));
  const MapperCandidate& found = scan->candidates[0];
  EXPECT_EQ(found.comm, "mmap_helper");
  ASSERT_EQ(found.mappings.size(), 1u);
  EXPECT_EQ(found.mappings[0].path, a_);  // a path with a space in it
  EXPECT_THAT(found.mappings[0].line, HasSubstr(" r--s 00000000 "));
  EXPECT_THAT(scan->spared, IsEmpty());
  EXPECT_GT(scan->processes_scanned, 3);

  ProcessKiller killer(finder_.get(), &control_);
  std::ostringstream log;
  KillOptions options;
  options.log = &log;
  options.dry_run = true;
  KillRecord dry = killer.KillOne(damaged_->pid(), query_, options);
  EXPECT_EQ(dry.outcome, KillOutcome::kWouldSignal) << dry.detail;
  usleep(100 * 1000);
  EXPECT_TRUE(damaged_->Running()) << "a dry run signalled";

  options.dry_run = false;
  KillRecord killed = killer.KillOne(damaged_->pid(), query_, options);
  EXPECT_EQ(killed.outcome, KillOutcome::kSignalled) << killed.detail;
  EXPECT_EQ(killed.comm, "mmap_helper");
  const int status = damaged_->Reap();
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGBUS);
  EXPECT_TRUE(elsewhere_->Running());
  EXPECT_TRUE(other_file_->Running());

  // The same action again: the process is gone, which is not an error.
  EXPECT_EQ(killer.KillOne(killed.pid, query_, options).outcome,
            KillOutcome::kGone);
  // The others never map the range, whatever pid the caller names.
  EXPECT_EQ(killer.KillOne(elsewhere_->pid(), query_, options).outcome,
            KillOutcome::kNoLongerMaps);
  EXPECT_EQ(killer.KillOne(other_file_->pid(), query_, options).outcome,
            KillOutcome::kNoLongerMaps);
  EXPECT_TRUE(elsewhere_->Running());
  EXPECT_TRUE(other_file_->Running());
  EXPECT_THAT(log.str(), HasSubstr("would signal"));
  EXPECT_THAT(log.str(), HasSubstr("signalled, maps the range; sent SIGBUS"));
  absl::StatusOr<MapperScan> after = finder_->Find(query_, {});
  ASSERT_TRUE(after.ok());
  EXPECT_THAT(after->candidates, IsEmpty());
}

TEST_F(MapperKillLiveTest, ExcludedCommandsAreSparedAndNeverSignalled) {
  MapperExclusions exclusions;
  exclusions.comms = {"mmap_helper"};
  absl::StatusOr<MapperScan> scan = finder_->Find(query_, exclusions);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(scan->candidates, IsEmpty());
  EXPECT_THAT(scan->spared,
              ElementsAre(Field(&MapperCandidate::pid, damaged_->pid())));
  ProcessKiller killer(finder_.get(), &control_);
  KillOptions options;
  options.exclusions = exclusions;
  EXPECT_EQ(killer.KillOne(damaged_->pid(), query_, options).outcome,
            KillOutcome::kRefused);
  usleep(100 * 1000);
  EXPECT_TRUE(damaged_->Running());
}

TEST_F(MapperKillLiveTest, AZombieIsNotSignalled) {
  ASSERT_EQ(kill(damaged_->pid(), SIGKILL), 0);
  siginfo_t info = {};
  ASSERT_EQ(waitid(P_PID, damaged_->pid(), &info, WEXITED | WNOWAIT), 0);
  ProcessKiller killer(finder_.get(), &control_);
  // Dead but not reaped: its maps are empty, so nothing maps the range.
  EXPECT_EQ(killer.KillOne(damaged_->pid(), query_, {}).outcome,
            KillOutcome::kNoLongerMaps);
  const int status = damaged_->Reap();
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace mfr::agent::recovery
