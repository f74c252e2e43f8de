// Live test of the whole collector on this kernel: a real ext4 filesystem
// on a real loop device, read back through /proc, /sys and the ioctls.
// Needs root, losetup and mkfs.ext4; otherwise it is skipped and says why.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "agent/topology/linux_filesystem_probe.h"
#include "agent/topology/snapshot_mount_selection.h"
#include "agent/topology/sysfs_tree_fixture.h"
#include "agent/topology/topology_collector.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

// Runs a shell command; returns its stdout, or nullopt if it failed.
std::optional<std::string> Shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buf[256];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  if (pclose(pipe) != 0) return std::nullopt;
  return std::string(absl::StripAsciiWhitespace(out));
}

class TopologyLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for losetup and mount";
    dir_ = testing::MakeTempDir("live");
    image_ = dir_ + "/fs.img";
    mnt_ = dir_ + "/mnt";
    if (!Shell(absl::StrCat("truncate -s 64M ", image_,
                            " && mkfs.ext4 -q -F -b 4096 ", image_,
                            " && mkdir ", mnt_))) {
      GTEST_SKIP() << "cannot make an ext4 image (mkfs.ext4 missing?)";
    }
    std::optional<std::string> loop = Shell("losetup -f --show " + image_);
    if (!loop) GTEST_SKIP() << "no loop device available";
    loop_ = *loop;
    if (!Shell(absl::StrCat("mount ", loop_, " ", mnt_))) {
      GTEST_SKIP() << "cannot mount " << loop_ << " (sandboxed?)";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) Shell("umount " + mnt_);
    if (!loop_.empty()) Shell("losetup -d " + loop_);
  }

  std::string dir_, image_, mnt_, loop_;
  bool mounted_ = false;
};

TEST_F(TopologyLiveTest, SeesARealExt4OnALoopDevice) {
  LinuxFilesystemProbe probe;
  auto got = TopologyCollector(HostRoot(), &probe).Collect();
  ASSERT_TRUE(got.ok()) << got.status();
  const std::string name = loop_.substr(loop_.rfind('/') + 1);
  const mfr::v1::Mount* mount = nullptr;
  for (const auto& m : got->topology.mounts()) {
    if (m.mount_point() == mnt_) mount = &m;
  }
  ASSERT_NE(mount, nullptr) << "mount " << mnt_ << " not collected";
  EXPECT_EQ(mount->device(), name);
  EXPECT_EQ(mount->fs_type(), "ext4");
  EXPECT_EQ(mount->block_size_bytes(), 4096u);
  std::optional<std::string> uuid = Shell("blkid -s UUID -o value " + loop_);
  if (uuid.has_value()) {
    EXPECT_EQ(mount->fs_uuid(), *uuid);
  }
  bool found_loop = false;
  for (const auto& d : got->topology.devices()) {
    if (d.name() != name) continue;
    found_loop = true;
    EXPECT_EQ(d.loop().backing_file(), image_);
    EXPECT_EQ(d.size_bytes(), 64u << 20);
  }
  EXPECT_TRUE(found_loop);
  auto selected = SelectSnapshotMounts(got->topology, {mnt_});
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ(selected->size(), 1u);
}

}  // namespace
}  // namespace mfr::agent::topology
