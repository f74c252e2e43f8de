// LinuxMappingModeProbe on a real XFS on a loop device (no DAX device on
// this machine kind: everything real is page cache), the pre-5.8 fallback
// through the test hook, a recorded mountinfo, and the path-prefix seam.
// Needs root; skipped visibly otherwise.
#include "agent/recovery/linux_mapping_mode_probe.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "agent/recovery/mapping_mode.h"
#include "common/scoped_fd.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs_test_base.h"

namespace mfr::agent::recovery {
namespace {

class LinuxMappingModeProbeTest : public mfr::testing::LoopFsTest {
 protected:
  void SetUp() override {
    LoopFsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(mkdir(Path("dax").c_str(), 0755), 0);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!fake_proc_.empty()) std::filesystem::remove_all(fake_proc_, ignored);
  }
  std::string Path(const std::string& rel) const {
    return fs_->mount_point() + "/" + rel;
  }
  ScopedFd Create(const std::string& rel) {
    ScopedFd fd(open(Path(rel).c_str(), O_RDWR | O_CREAT, 0644));
    EXPECT_TRUE(fd.valid()) << rel;
    EXPECT_EQ(write(fd.get(), "data", 4), 4);
    return fd;
  }
  // A recorded /proc with one mountinfo line for this file's mount.
  std::string FakeProc(int fd, const std::string& super_options) {
    struct statx stx = {};
    EXPECT_EQ(statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx), 0);
    const char* base = std::getenv("TEST_TMPDIR");
    fake_proc_ = absl::StrCat(base ? base : "/tmp", "/fakeproc-mountinfo");
    std::filesystem::create_directories(fake_proc_ + "/self");
    std::ofstream(fake_proc_ + "/self/mountinfo")
        << "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
        << stx.stx_mnt_id << " 1 " << fs_->dev_major() << ":"
        << fs_->dev_minor() << " / " << fs_->mount_point()
        << " rw,relatime - xfs " << fs_->device_path() << " " << super_options
        << "\n";
    return fake_proc_;
  }

  std::string fake_proc_;
};

TEST_F(LinuxMappingModeProbeTest, RealXfsFilesArePageCache) {
  ScopedFd fd = Create("f");
  LinuxMappingModeProbe probe;
  absl::StatusOr<MappingFacts> facts = probe.CollectFacts(fd.get());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_TRUE(facts->statx_knows_dax);  // Linux 5.8+
  EXPECT_FALSE(facts->statx_dax);
  absl::StatusOr<MappingMode> mode = probe.ModeOf(fd.get(), Path("f"));
  ASSERT_TRUE(mode.ok()) << mode.status();
  EXPECT_EQ(*mode, MappingMode::kPageCache);
}

TEST_F(LinuxMappingModeProbeTest, InodeFlagWithoutDaxDevice) {
  ScopedFd fd = Create("flagged");
  struct fsxattr attr = {};
  ASSERT_EQ(ioctl(fd.get(), FS_IOC_FSGETXATTR, &attr), 0);
  attr.fsx_xflags |= FS_XFLAG_DAX;
  if (ioctl(fd.get(), FS_IOC_FSSETXATTR, &attr) != 0) {
    GTEST_SKIP() << "this XFS refuses FS_XFLAG_DAX: " << strerror(errno);
  }
  // statx knows the file is not DAX now, whatever the flag says.
  LinuxMappingModeProbe probe;
  EXPECT_EQ(*probe.ModeOf(fd.get(), Path("flagged")), MappingMode::kPageCache);
  // Without statx (as before Linux 5.8) the flag decides.
  LinuxMappingModeOptions old_kernel;
  old_kernel.use_statx_dax = false;
  LinuxMappingModeProbe fallback(old_kernel);
  absl::StatusOr<MappingFacts> facts = fallback.CollectFacts(fd.get());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_FALSE(facts->statx_knows_dax);
  EXPECT_TRUE(facts->inode_flag_dax);
  EXPECT_EQ(facts->mount_dax, DaxMountOption::kUnset);  // the real mountinfo
  EXPECT_EQ(*fallback.ModeOf(fd.get(), Path("flagged")), MappingMode::kDax);
}

TEST_F(LinuxMappingModeProbeTest, FallbackReadsTheRealMountinfo) {
  ScopedFd fd = Create("plain");
  LinuxMappingModeOptions old_kernel;
  old_kernel.use_statx_dax = false;
  LinuxMappingModeProbe probe(old_kernel);
  absl::StatusOr<MappingFacts> facts = probe.CollectFacts(fd.get());
  ASSERT_TRUE(facts.ok()) << facts.status();
  EXPECT_EQ(facts->mount_dax, DaxMountOption::kUnset);
  EXPECT_FALSE(facts->inode_flag_dax);
  EXPECT_EQ(*probe.ModeOf(fd.get(), Path("plain")), MappingMode::kPageCache);
}

TEST_F(LinuxMappingModeProbeTest, FallbackHonoursDaxAlwaysInMountinfo) {
  ScopedFd fd = Create("f");
  LinuxMappingModeOptions old_kernel;
  old_kernel.use_statx_dax = false;
  old_kernel.proc_root = FakeProc(fd.get(), "rw,attr2,dax=always,noquota");
  LinuxMappingModeProbe probe(old_kernel);
  EXPECT_EQ(*probe.ModeOf(fd.get(), Path("f")), MappingMode::kDax);
}

TEST_F(LinuxMappingModeProbeTest, FallbackWithoutAMatchingMountIsAnError) {
  ScopedFd fd = Create("f");
  LinuxMappingModeOptions old_kernel;
  old_kernel.use_statx_dax = false;
  old_kernel.proc_root = FakeProc(fd.get(), "rw");
  std::ofstream(old_kernel.proc_root + "/self/mountinfo")
      << "22 1 0:21 / /proc rw - proc proc rw\n";
  LinuxMappingModeProbe probe(old_kernel);
  EXPECT_EQ(probe.ModeOf(fd.get(), Path("f")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(LinuxMappingModeProbeTest, NotARegularFile) {
  ScopedFd dir(open(fs_->mount_point().c_str(), O_RDONLY | O_DIRECTORY));
  LinuxMappingModeProbe probe;
  EXPECT_EQ(probe.ModeOf(dir.get(), fs_->mount_point()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LinuxMappingModeProbeTest, SeamOverTheRealProbe) {
  ScopedFd fake_dax = Create("dax/f");
  ScopedFd plain = Create("g");
  PathPrefixDaxProbeForTesting probe({Path("dax")},
                                     std::make_unique<LinuxMappingModeProbe>());
  EXPECT_EQ(*probe.ModeOf(fake_dax.get(), Path("dax/f")), MappingMode::kDax);
  EXPECT_EQ(*probe.ModeOf(plain.get(), Path("g")), MappingMode::kPageCache);
}

}  // namespace
}  // namespace mfr::agent::recovery
