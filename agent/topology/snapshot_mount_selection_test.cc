// Tests for SelectSnapshotMounts: default choice (xfs/ext4 only, one per
// device, whole-fs mount preferred over binds), explicit lists, errors.
#include "agent/topology/snapshot_mount_selection.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

void AddMount(mfr::v1::Topology* t, const std::string& point,
              const std::string& device, uint32_t minor,
              const std::string& fs_type, const std::string& root = "/") {
  mfr::v1::Mount* m = t->add_mounts();
  m->set_root(root);
  m->set_mount_point(point);
  m->set_device(device);
  m->mutable_dev()->set_major(8);
  m->mutable_dev()->set_minor(minor);
  m->set_fs_type(fs_type);
}

std::vector<std::string> Points(const std::vector<mfr::v1::Mount>& mounts) {
  std::vector<std::string> points;
  for (const mfr::v1::Mount& m : mounts) points.push_back(m.mount_point());
  return points;
}

class SnapshotMountSelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A bind of a subtree with a short path comes first: root must win.
    AddMount(&topology_, "/w", "sdb1", 17, "xfs", "/www");
    AddMount(&topology_, "/data", "sdb1", 17, "xfs");
    AddMount(&topology_, "/mnt/data-again", "sdb1", 17, "xfs");
    AddMount(&topology_, "/", "sda2", 2, "ext4");
    AddMount(&topology_, "/boot/efi", "sda1", 1, "vfat");
    AddMount(&topology_, "/old", "sdc1", 33, "ext3");
    AddMount(&topology_, "/z", "sdd", 48, "ext4");  // same fs twice,
    AddMount(&topology_, "/y", "sdd", 48, "ext4");  // both whole: shortest,
  }
  mfr::v1::Topology topology_;
};

TEST_F(SnapshotMountSelectionTest, DefaultPicksOneWholeFsMountPerDevice) {
  auto got = SelectSnapshotMounts(topology_, {});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(Points(*got), ElementsAre("/data", "/", "/y"));
}

TEST_F(SnapshotMountSelectionTest, ExplicitListGivesExactlyThose) {
  auto got =
      SelectSnapshotMounts(topology_, {"/mnt/data-again", "/", "/w", "/"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(Points(*got), ElementsAre("/mnt/data-again", "/", "/w"));
}

TEST_F(SnapshotMountSelectionTest, ExplicitListRejectsUnknownAndOtherFs) {
  struct Case {
    const char* point;
    const char* message;
  } kCases[] = {
      {"/nope", "not a block-device mount: /nope"},
      {"/data/", "not a block-device mount: /data/"},
      {"/boot/efi", "not xfs or ext4: /boot/efi (vfat)"},
      {"/old", "not xfs or ext4: /old (ext3)"},
  };
  for (const Case& c : kCases) {
    auto got = SelectSnapshotMounts(topology_, {"/", c.point});
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), HasSubstr(c.message));
  }
}

TEST(SnapshotMountSelectionEmptyTest, EmptyTopologyGivesNothing) {
  auto got = SelectSnapshotMounts(mfr::v1::Topology(), {});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

}  // namespace
}  // namespace mfr::agent::topology
