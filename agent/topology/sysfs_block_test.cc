// Tests for the sysfs block scan over recorded trees: this host's real loop
// device and virtio disk, hand-built partition/md/dm trees following the
// kernel's documented layout, a plain-directory tree, and broken trees.
#include "agent/topology/sysfs_block.h"

#include <map>

#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Materializes a tree (a testdata file or inline spec) and scans it.
class SysfsBlockTest : public ::testing::Test {
 protected:
  void ScanSpec(const std::string& spec) {
    root_ = testing::MakeTempDir("sysfs");
    ASSERT_TRUE(testing::MaterializeTree(spec, root_).ok());
    auto fs = RootedFs::Open(root_);
    ASSERT_TRUE(fs.ok()) << fs.status();
    auto scan = ScanBlockDevices(**fs);
    ASSERT_TRUE(scan.ok()) << scan.status();
    scan_ = *std::move(scan);
    for (const auto& d : scan_.devices) by_name_[d.name()] = d;
  }
  void ScanFile(const std::string& name) {
    auto spec = testing::ReadTestData("agent/topology/testdata/" + name);
    ASSERT_TRUE(spec.ok()) << spec.status();
    ScanSpec(*spec);
  }
  const mfr::v1::BlockDevice& Dev(const std::string& name) {
    EXPECT_EQ(by_name_.count(name), 1u) << name;
    return by_name_[name];
  }

  std::string root_;
  BlockDeviceScan scan_;
  std::map<std::string, mfr::v1::BlockDevice> by_name_;
};

TEST_F(SysfsBlockTest, ReadsThisHostsLoopDevice) {
  ScanFile("real_loop_vda.tree");
  EXPECT_THAT(scan_.errors, IsEmpty());
  const mfr::v1::BlockDevice& loop = Dev("loop0");
  EXPECT_EQ(loop.dev().major(), 7u);
  EXPECT_EQ(loop.dev().minor(), 0u);
  EXPECT_EQ(loop.size_bytes(), uint64_t{65536} * 512);
  EXPECT_EQ(loop.logical_block_size_bytes(), 512u);
  EXPECT_EQ(loop.physical_block_size_bytes(), 512u);
  ASSERT_TRUE(loop.has_loop());
  EXPECT_EQ(loop.loop().backing_file(), "/tmp/topo_rec/backing.img");
  EXPECT_EQ(loop.loop().offset_bytes(), 1048576u);
  EXPECT_EQ(loop.loop().size_limit_bytes(), 33554432u);
  EXPECT_THAT(loop.holders(), IsEmpty());
  EXPECT_THAT(loop.slaves(), IsEmpty());
}

TEST_F(SysfsBlockTest, ReadsThisHostsVirtioDisk) {
  ScanFile("real_loop_vda.tree");
  const mfr::v1::BlockDevice& vda = Dev("vda");
  EXPECT_EQ(vda.dev().major(), 254u);
  EXPECT_EQ(vda.size_bytes(), uint64_t{536870912} * 512);
  EXPECT_EQ(vda.logical_block_size_bytes(), 512u);
  EXPECT_EQ(vda.physical_block_size_bytes(), 4096u);
  EXPECT_EQ(vda.stable_id(), "overlayblk");  // virtio-blk "serial"
  EXPECT_EQ(vda.layer_case(), mfr::v1::BlockDevice::LAYER_NOT_SET);
}

TEST_F(SysfsBlockTest, ReadsPartitionsWithParentGeometryAndId) {
  ScanFile("stacked_md_dm.tree");
  EXPECT_THAT(scan_.errors, IsEmpty());
  EXPECT_THAT(scan_.warnings, IsEmpty());
  const mfr::v1::BlockDevice& sdb2 = Dev("sdb2");
  ASSERT_TRUE(sdb2.has_partition());
  EXPECT_EQ(sdb2.partition().parent(), "sdb");
  EXPECT_EQ(sdb2.partition().number(), 2u);
  EXPECT_EQ(sdb2.partition().start_bytes(), uint64_t{10487808} * 512);
  EXPECT_EQ(sdb2.size_bytes(), uint64_t{10483712} * 512);
  EXPECT_EQ(sdb2.logical_block_size_bytes(), 512u);
  EXPECT_EQ(sdb2.physical_block_size_bytes(), 4096u);
  EXPECT_EQ(sdb2.stable_id(), "naa.5000c500a1b2c3d4-part2");
  EXPECT_THAT(sdb2.holders(), ElementsAre("dm-0"));
  EXPECT_EQ(Dev("sdb").stable_id(), "naa.5000c500a1b2c3d4");  // device/wwid
  EXPECT_EQ(Dev("sdc1").partition().parent(), "sdc");
}

TEST_F(SysfsBlockTest, ReadsRaid1Array) {
  ScanFile("stacked_md_dm.tree");
  const mfr::v1::BlockDevice& md0 = Dev("md0");
  ASSERT_TRUE(md0.has_md());
  EXPECT_EQ(md0.md().level(), "raid1");
  EXPECT_EQ(md0.md().raid_disks(), 2u);
  EXPECT_THAT(md0.slaves(), ElementsAre("sdb1", "sdc1"));
  ASSERT_EQ(md0.md().members_size(), 2);
  const mfr::v1::MdMember& leg = md0.md().members(0);
  EXPECT_EQ(leg.device(), "sdb1");
  EXPECT_EQ(leg.slot(), 0);
  EXPECT_EQ(leg.data_offset_bytes(), uint64_t{2048} * 512);
  EXPECT_EQ(leg.state(), "in_sync");
  EXPECT_EQ(md0.md().members(1).device(), "sdc1");
}

TEST_F(SysfsBlockTest, ReadsRaid5ArrayWithSpareLast) {
  ScanFile("stacked_md_dm.tree");
  const mfr::v1::MdArray& md = Dev("md1").md();
  EXPECT_EQ(md.level(), "raid5");
  EXPECT_EQ(md.chunk_size_bytes(), 524288u);
  EXPECT_EQ(md.layout(), "2");
  EXPECT_EQ(md.raid_disks(), 3u);
  ASSERT_EQ(md.members_size(), 4);
  EXPECT_EQ(md.members(2).device(), "sdf");
  EXPECT_EQ(md.members(2).slot(), 2);
  EXPECT_EQ(md.members(3).device(), "sdg");
  EXPECT_EQ(md.members(3).slot(), -1);
  EXPECT_EQ(md.members(3).state(), "spare");
  EXPECT_EQ(md.members(3).data_offset_bytes(), uint64_t{264192} * 512);
}

TEST_F(SysfsBlockTest, ReadsDmDeviceWithoutTargets) {
  ScanFile("stacked_md_dm.tree");
  const mfr::v1::BlockDevice& dm = Dev("dm-0");
  ASSERT_TRUE(dm.has_dm());
  EXPECT_EQ(dm.dm().dm_name(), "vg0-data");
  EXPECT_THAT(dm.dm().dm_uuid(), HasSubstr("LVM-"));
  EXPECT_THAT(dm.dm().targets(), IsEmpty());
  EXPECT_THAT(dm.slaves(), ElementsAre("sdb2"));
  EXPECT_EQ(dm.dev().major(), 253u);
}

TEST_F(SysfsBlockTest, ReadsPlainDirectoryTree) {
  ScanFile("plain_dirs.tree");
  EXPECT_THAT(scan_.errors, IsEmpty());
  const mfr::v1::BlockDevice& p2 = Dev("nvme0n1p2");
  EXPECT_EQ(p2.partition().parent(), "nvme0n1");
  EXPECT_EQ(p2.partition().start_bytes(), uint64_t{1050624} * 512);
  EXPECT_EQ(p2.logical_block_size_bytes(), 4096u);
  EXPECT_EQ(p2.stable_id(), "eui.0025388b91b2c3d4-part2");
  EXPECT_EQ(Dev("pmem0").stable_id(), "9c2d5f1e-7a3b-4c8d-9e0f-1a2b3c4d5e6f");
}

TEST_F(SysfsBlockTest, LeavesOutBrokenDevicesAndKeepsTheRest) {
  ScanSpec(
      "F sys/class/block/good/dev 8:0\nF sys/class/block/good/size 8\n"
      "F sys/class/block/nodev/size 8\n"
      "F sys/class/block/baddev/dev 8\nF sys/class/block/baddev/size 8\n"
      "F sys/class/block/badsize/dev 8:1\nF sys/class/block/badsize/size x\n"
      "F sys/class/block/hugesize/dev 8:2\n"
      "F sys/class/block/hugesize/size 18446744073709551615\n"
      "F sys/class/block/orphan1/dev 8:3\nF sys/class/block/orphan1/size 8\n"
      "F sys/class/block/orphan1/partition 1\n"
      "F sys/class/block/good1/dev 8:4\nF sys/class/block/good1/size 8\n"
      "F sys/class/block/good1/partition 1\n"
      "F sys/class/block/md9/dev 9:9\nF sys/class/block/md9/size 8\n"
      "F sys/class/block/md9/md/level raid1\n"
      "F sys/class/block/md9/md/dev-sda/slot one\n"
      "F sys/class/block/md7/dev 9:7\nF sys/class/block/md7/size 8\n"
      "F sys/class/block/md7/md/raid_disks 4 (3)\n"
      "F sys/class/block/loop5/dev 7:5\nF sys/class/block/loop5/size 0\n"
      "F sys/class/block/loop5/loop/offset 0\n"
      "L sys/class/block/escape ../../../../etc\n");
  EXPECT_EQ(scan_.devices.size(), 2u);
  EXPECT_EQ(Dev("good").size_bytes(), 4096u);
  EXPECT_EQ(Dev("md7").md().raid_disks(), 4u);
  EXPECT_THAT(scan_.warnings, ElementsAre(HasSubstr("md7: md reshape")));
  // good1 lacks "start": a partition without its offset is useless.
  std::string errors;
  for (const std::string& e : scan_.errors) errors += e + "\n";
  for (const char* name : {"nodev:", "baddev:", "badsize:", "hugesize:",
                           "orphan1:", "good1:", "md9:", "loop5:", "escape:"}) {
    EXPECT_THAT(errors, HasSubstr(name));
  }
}

}  // namespace
}  // namespace mfr::agent::topology
