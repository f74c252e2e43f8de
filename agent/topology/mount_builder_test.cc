// Tests for the pure mountinfo + devices -> mounts step and DAX parsing.
#include "agent/topology/mount_builder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

mfr::v1::BlockDevice Device(const std::string& name, uint32_t major,
                            uint32_t minor) {
  mfr::v1::BlockDevice d;
  d.set_name(name);
  d.mutable_dev()->set_major(major);
  d.mutable_dev()->set_minor(minor);
  return d;
}

MountInfoEntry Entry(uint32_t major, uint32_t minor, const std::string& root,
                     const std::string& point, const std::string& fs_type,
                     const std::string& super_options = "rw") {
  MountInfoEntry e;
  e.major = major;
  e.minor = minor;
  e.root = root;
  e.mount_point = point;
  e.mount_options = "rw,relatime";
  e.fs_type = fs_type;
  e.source = "/dev/x";
  e.super_options = super_options;
  return e;
}

TEST(ParseDaxModeTest, MapsOptionsToModes) {
  struct Case {
    const char* mount_options;
    const char* super_options;
    mfr::v1::DaxMode want;
  } kCases[] = {
      {"rw,relatime", "rw,attr2,inode64,noquota", mfr::v1::DAX_MODE_NEVER},
      {"rw", "rw,dax", mfr::v1::DAX_MODE_ALWAYS},  // old ext4/xfs option
      {"rw", "rw,dax=always", mfr::v1::DAX_MODE_ALWAYS},
      {"rw", "rw,dax=inode", mfr::v1::DAX_MODE_INODE},
      {"rw", "rw,dax=never", mfr::v1::DAX_MODE_NEVER},
      {"rw", "rw,daxx,nodax=always", mfr::v1::DAX_MODE_NEVER},      // not dax
      {"rw,dax=inode", "rw,dax=always", mfr::v1::DAX_MODE_ALWAYS},  // last
      {"", "", mfr::v1::DAX_MODE_NEVER},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ParseDaxMode(c.mount_options, c.super_options), c.want)
        << c.mount_options << " / " << c.super_options;
  }
}

TEST(BuildBlockMountsTest, KeepsOnlyBlockBackedMounts) {
  std::vector<mfr::v1::BlockDevice> devices = {Device("pmem0", 259, 3),
                                               Device("vda", 254, 0)};
  std::vector<MountInfoEntry> entries = {
      Entry(0, 21, "/", "/proc", "proc"),
      Entry(254, 0, "/", "/", "ext4"),
      Entry(0, 23, "/", "/tmp", "tmpfs"),
      Entry(259, 3, "/", "/pmem", "xfs", "rw,dax=always"),
      Entry(8, 99, "/", "/gone", "ext4"),  // device not in sysfs
  };
  std::vector<mfr::v1::Mount> got = BuildBlockMounts(entries, devices);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].mount_point(), "/");
  EXPECT_EQ(got[0].device(), "vda");
  EXPECT_EQ(got[0].dev().major(), 254u);
  EXPECT_EQ(got[0].fs_type(), "ext4");
  EXPECT_EQ(got[0].mount_options(), "rw,relatime");
  EXPECT_EQ(got[0].source(), "/dev/x");
  EXPECT_EQ(got[0].dax(), mfr::v1::DAX_MODE_NEVER);
  EXPECT_EQ(got[1].device(), "pmem0");
  EXPECT_EQ(got[1].dax(), mfr::v1::DAX_MODE_ALWAYS);
  EXPECT_EQ(got[1].super_options(), "rw,dax=always");
  EXPECT_TRUE(got[1].fs_uuid().empty());
}

TEST(BuildBlockMountsTest, RecordsRootsAndDropsHiddenMounts) {
  std::vector<mfr::v1::BlockDevice> devices = {Device("sdb1", 8, 17),
                                               Device("sdc1", 8, 33)};
  std::vector<MountInfoEntry> entries = {
      Entry(8, 17, "/", "/data", "xfs"),
      Entry(8, 17, "/www", "/var/www", "xfs"),
      Entry(8, 33, "/", "/mnt", "ext4"),
      Entry(0, 40, "/", "/mnt", "tmpfs"),  // hides sdc1 at /mnt
      Entry(8, 33, "/", "/data", "ext4"),  // hides sdb1 at /data
  };
  std::vector<mfr::v1::Mount> got = BuildBlockMounts(entries, devices);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].mount_point(), "/var/www");
  EXPECT_EQ(got[0].root(), "/www");
  EXPECT_EQ(got[1].mount_point(), "/data");
  EXPECT_EQ(got[1].device(), "sdc1");
  EXPECT_EQ(got[1].root(), "/");
}

}  // namespace
}  // namespace mfr::agent::topology
