// Tests for RootedFs: reads, listings, symlinks inside the root, and that
// no symlink or ".." can reach outside it.
#include "agent/topology/rooted_fs.h"

#include <sys/stat.h>

#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::ElementsAre;

class RootedFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = testing::MakeTempDir("rooted_fs");
    // A file outside the root that an escaping symlink would reach.
    ASSERT_TRUE(testing::MaterializeTree("F outside/dev 8:99\n"
                                         "F outside/secret s3cret\n"
                                         "D root\n",
                                         base_)
                    .ok());
    ASSERT_TRUE(
        testing::MaterializeTree(
            "F sys/devices/virtual/block/loop0/dev 7:0\n"
            "D sys/devices/virtual/block/loop0/holders\n"
            "F sys/devices/virtual/block/loop0/holders/.gitkeep \n"
            "L sys/class/block/loop0 ../../devices/virtual/block/loop0\n"
            "L sys/class/block/up ../../../../outside\n"
            "L sys/class/block/abs /outside\n"
            "L sys/class/block/abs_inside /sys/devices/virtual/block/loop0\n"
            "L secret_link ../outside/secret\n",
            base_ + "/root")
            .ok());
    auto fs = RootedFs::Open(base_ + "/root");
    ASSERT_TRUE(fs.ok()) << fs.status();
    fs_ = *std::move(fs);
  }

  std::string base_;
  std::unique_ptr<RootedFs> fs_;
};

TEST_F(RootedFsTest, ReadsThroughRelativeAndAbsoluteSymlinksInside) {
  EXPECT_EQ(fs_->ReadFile("sys/class/block/loop0/dev").value(), "7:0\n");
  EXPECT_EQ(fs_->ReadFile("/sys/class/block/loop0/dev").value(), "7:0\n");
  EXPECT_EQ(fs_->ReadFile("sys/class/block/abs_inside/dev").value(), "7:0\n");
  // ".." after a symlink is physical: the directory the target lives in.
  EXPECT_TRUE(fs_->IsDir("sys/class/block/loop0/../loop0/holders"));
}

TEST_F(RootedFsTest, NeverEscapesTheRoot) {
  EXPECT_EQ(fs_->ReadFile("sys/class/block/up/dev").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->ReadFile("sys/class/block/abs/dev").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->ReadFile("../outside/secret").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(fs_->ReadFile("secret_link").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RootedFsTest, ListsSortedWithoutDotFiles) {
  EXPECT_THAT(fs_->ListDir("sys/class/block").value(),
              ElementsAre("abs", "abs_inside", "loop0", "up"));
  EXPECT_TRUE(fs_->ListDir("sys/class/block/loop0/holders").value().empty());
  EXPECT_EQ(fs_->ListDir("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RootedFsTest, RejectsDirectoriesFifosAndOversizedFiles) {
  EXPECT_FALSE(fs_->ReadFile("sys").ok());
  ASSERT_EQ(mkfifo((base_ + "/root/fifo").c_str(), 0600), 0);
  EXPECT_EQ(fs_->ReadFile("fifo").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->ReadFile("sys/class/block/loop0/dev", 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs_->ReadFile(std::string("a\0b", 3)).ok());
}

TEST(RootedFsOpenTest, FailsForAMissingRoot) {
  EXPECT_EQ(RootedFs::Open("/nonexistent/mfr/root").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(HostPathTest, RootPrefixesHostPaths) {
  EXPECT_EQ(HostPath("/", "/data"), "/data");
  EXPECT_EQ(HostPath("", "/data"), "/data");
  EXPECT_EQ(HostPath("/host", "/data"), "/host/data");
  EXPECT_EQ(HostPath("/host", "sys"), "/host/sys");
  // In a container the agent's own mounts are not the host's.
  EXPECT_EQ(MountInfoPath("/"), "proc/self/mountinfo");
  EXPECT_EQ(MountInfoPath("/host"), "proc/1/mountinfo");
}

}  // namespace
}  // namespace mfr::agent::topology
