// Stack tests over the md/dm/partition stack of
// agent/topology/testdata/stacked_md_dm.tree (see topology_fixtures.h) and
// hand-built variants of it (dm over md, LVM). Loops, 4Kn, topology errors
// and bad input are in stack_translator_edge_test.cc.
#include "controller/resolve/stack_translator.h"

#include <string>
#include <vector>

#include "controller/resolve/stack_test_util.h"
#include "controller/resolve/topology_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using testing::ChainDevices;
using ::testing::ElementsAre;
using testing::ExpectWellFormed;
using ::testing::HasSubstr;
using testing::MustTranslate;
using testing::StepRange;

// stacked_md_dm.tree in bytes (sectors x 512).
constexpr uint64_t kSdb1Start = 1048576;     // start 2048 s
constexpr uint64_t kSdb2Start = 5369757696;  // start 10487808 s
constexpr uint64_t kMd0Offset = 1048576;     // md offset 2048 s
constexpr uint64_t kMd0Size = 5367660544;    // 10483712 s
constexpr uint64_t kMd1Offset = 135266304;   // md offset 264192 s
constexpr uint64_t kChunk = 524288;          // md1 chunk_size

TEST(StackTranslatorTest, DiskToPartitionToRaid1ToMount) {
  // sdb 2105344 = sdb1 start 1048576 + md data offset 1048576 + 8192:
  // sdb1 1056768, md0 8192, /data (xfs on md0) 8192.
  auto results = MustTranslate(testing::StackedMdDm(), "sdb", 2105344, 4096);
  ExpectWellFormed(results);
  ASSERT_EQ(results.size(), 1u);
  const TranslationResult& r = results[0];
  EXPECT_TRUE(r.mapped);
  EXPECT_EQ(r.device, "md0");
  EXPECT_EQ(r.range, (ByteSpan{8192, 4096}));
  EXPECT_EQ(r.mount.mount_point(), "/data");
  EXPECT_EQ(r.verdict, Verdict::kRepairable);
  EXPECT_THAT(ChainDevices(r), ElementsAre("sdb", "sdb1", "md0", "/data"));
  EXPECT_EQ(StepRange(r, 0), (ByteSpan{2105344, 4096}));
  EXPECT_EQ(StepRange(r, 1), (ByteSpan{1056768, 4096}));
  EXPECT_EQ(r.chain[1].note(), "partition 1, start 1048576");
  EXPECT_EQ(r.chain[2].note(),
            "raid1 leg sdb1 (slot 0): repairable, 1 of 2 in_sync legs left");
  EXPECT_EQ(r.chain[3].note(), "xfs on md0");
  // The planner asks md0 (and only md0) for a check.
  EXPECT_TRUE(r.chain[2].repairable());
  EXPECT_FALSE(r.chain[1].repairable());
  EXPECT_FALSE(r.chain[3].repairable());
  // The other leg, reported on sdc, lands on the same md0 bytes.
  auto other = MustTranslate(testing::StackedMdDm(), "sdc", 2105344, 4096);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].range, r.range);
  EXPECT_THAT(ChainDevices(other[0]),
              ElementsAre("sdc", "sdc1", "md0", "/data"));
}

TEST(StackTranslatorTest, DegradedRaid1IsLoss) {
  mfr::v1::Topology t = testing::StackedMdDm();
  for (mfr::v1::BlockDevice& d : *t.mutable_devices()) {
    if (d.name() == "md0")
      d.mutable_md()->mutable_members(1)->set_state("faulty");
  }
  auto results = MustTranslate(t, "sdb", 2105344, 4096);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, Verdict::kLoss);
  EXPECT_THAT(results[0].chain[2].note(), HasSubstr("0 of 2 in_sync legs"));
}

TEST(StackTranslatorTest, DmLinearOverPartitionWithBindMounts) {
  // sdb2 starts at 5369757696; dm-0 = "0 10483712 linear 8:18 0".
  auto results =
      MustTranslate(testing::StackedMdDm(), "sdb", kSdb2Start + 4096, 512);
  ExpectWellFormed(results);
  ASSERT_EQ(results.size(), 1u);
  const TranslationResult& r = results[0];
  EXPECT_TRUE(r.mapped);
  EXPECT_EQ(r.device, "dm-0");
  EXPECT_EQ(r.range, (ByteSpan{4096, 512}));
  EXPECT_EQ(r.verdict, Verdict::kLoss);
  EXPECT_THAT(ChainDevices(r), ElementsAre("sdb", "sdb2", "dm-0", "/srv"));
  EXPECT_EQ(r.chain[2].note(), "linear target 0 at 0, lower offset 0");
  // Whole-filesystem mounts first, then the bind mount of /www.
  EXPECT_THAT(r.mount_points, ElementsAre("/srv", "/mnt/srv-copy", "/var/www"));
}

TEST(StackTranslatorTest, Raid5DataParityAndSpare) {
  const mfr::v1::Topology t = testing::StackedMdDm();
  // sdd stripe 1 (+4096) is array chunk 3: 3 * 524288 + 4096 = 1576960.
  auto data = MustTranslate(t, "sdd", kMd1Offset + kChunk + 4096, 4096);
  ExpectWellFormed(data);
  ASSERT_EQ(data.size(), 1u);
  EXPECT_TRUE(data[0].mapped);
  EXPECT_EQ(data[0].range, (ByteSpan{1576960, 4096}));
  EXPECT_EQ(data[0].mount.mount_point(), "/backup");
  EXPECT_EQ(data[0].verdict, Verdict::kRepairable);
  EXPECT_THAT(ChainDevices(data[0]), ElementsAre("sdd", "md1", "/backup"));
  // sde holds P of stripe 1: no array data, repairable by md.
  auto parity = MustTranslate(t, "sde", kMd1Offset + kChunk, 4096);
  ExpectWellFormed(parity);
  ASSERT_EQ(parity.size(), 1u);
  EXPECT_FALSE(parity[0].mapped);
  EXPECT_EQ(parity[0].device, "sde");
  EXPECT_EQ(parity[0].verdict, Verdict::kRepairable);
  EXPECT_THAT(parity[0].reason, HasSubstr("raid5 parity (P) on sde"));
  // A range over sdf's stripe 0 (P) and stripe 1 (D2 = chunk 2).
  auto both = MustTranslate(t, "sdf", kMd1Offset + kChunk - 512, 1024);
  ExpectWellFormed(both);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_TRUE(both[0].mapped);
  EXPECT_EQ(both[0].range, (ByteSpan{2 * kChunk, 512}));
  EXPECT_EQ(StepRange(both[0], 0), (ByteSpan{kMd1Offset + kChunk, 512}));
  EXPECT_FALSE(both[1].mapped);
  EXPECT_EQ(both[1].range, (ByteSpan{kMd1Offset + kChunk - 512, 512}));
  // The spare holds nothing.
  auto spare = MustTranslate(t, "sdg", kMd1Offset, 4096);
  ASSERT_EQ(spare.size(), 1u);
  EXPECT_THAT(spare[0].reason, HasSubstr("spare or failed leg"));
  EXPECT_EQ(spare[0].verdict, Verdict::kLoss);
}

TEST(StackTranslatorTest, PartitionTableAndMdMetadataAreUnmapped) {
  const mfr::v1::Topology t = testing::StackedMdDm();
  auto table = MustTranslate(t, "sdb", 0, 4096);
  ExpectWellFormed(table);
  ASSERT_EQ(table.size(), 1u);
  EXPECT_FALSE(table[0].mapped);
  EXPECT_EQ(table[0].device, "sdb");
  EXPECT_THAT(table[0].reason, HasSubstr("outside every partition of sdb"));
  // sdb [1048064, 1049088): 512 bytes of GPT area, then sdb1's first 512,
  // which is md0's superblock area.
  auto both = MustTranslate(t, "sdb", kSdb1Start - 512, 1024);
  ExpectWellFormed(both);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].device, "sdb1");
  EXPECT_EQ(both[0].range, (ByteSpan{0, 512}));
  EXPECT_THAT(both[0].reason, HasSubstr("md metadata area of sdb1"));
  EXPECT_THAT(ChainDevices(both[0]), ElementsAre("sdb", "sdb1"));
  EXPECT_EQ(both[1].device, "sdb");
  EXPECT_EQ(both[1].range, (ByteSpan{kSdb1Start - 512, 512}));
}

TEST(StackTranslatorTest, RangeStraddlingTwoPartitionsSplits) {
  // sdb [kSdb2Start - 4096, +8192): the last 4096 of sdb1 = the last 4096
  // of md0 (kMd0Size - 4096), then the first 4096 of sdb2 = dm-0 [0, 4096).
  auto results =
      MustTranslate(testing::StackedMdDm(), "sdb", kSdb2Start - 4096, 8192);
  ExpectWellFormed(results);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].mount.mount_point(), "/data");
  EXPECT_EQ(results[0].range, (ByteSpan{kMd0Size - 4096, 4096}));
  EXPECT_EQ(StepRange(results[0], 0), (ByteSpan{kSdb2Start - 4096, 4096}));
  EXPECT_EQ(results[0].verdict, Verdict::kRepairable);
  EXPECT_EQ(results[1].mount.mount_point(), "/srv");
  EXPECT_EQ(results[1].range, (ByteSpan{0, 4096}));
  EXPECT_EQ(StepRange(results[1], 0), (ByteSpan{kSdb2Start, 4096}));
  EXPECT_EQ(results[1].verdict, Verdict::kLoss);
}

TEST(StackTranslatorTest, FullStackDiskPartitionMdDmMount) {
  // md0 holds an LVM PV (data at 2048 s = 1048576) instead of xfs: lv
  // "vg1-lv" = dm-2 ("0 2097152 linear 9:0 2048") mounted at /vol.
  mfr::v1::Topology t = testing::StackedMdDm();
  t.mutable_mounts()->DeleteSubrange(0, 1);  // /data on md0
  auto extra = testing::ParseTopology(R"pb(
    devices {
      name: "dm-2"
      dev { major: 253 minor: 2 }
      size_bytes: 1073741824
      slaves: "md0"
      dm {
        dm_name: "vg1-lv"
        targets {
          start_bytes: 0
          length_bytes: 1073741824
          type: "linear"
          args: "9:0 2048"
        }
      }
    }
    mounts { mount_point: "/vol" device: "dm-2" fs_type: "xfs" root: "/" }
  )pb");
  ASSERT_TRUE(extra.ok());
  t.MergeFrom(*extra);
  // sdb 3153920 = 1048576 (sdb1) + 1048576 (md data) + 1048576 (PV data)
  // + 8192: sdb1 2105344, md0 1056768, dm-2 8192.
  auto results = MustTranslate(t, "sdb", 3153920, 4096);
  ExpectWellFormed(results);
  ASSERT_EQ(results.size(), 1u);
  const TranslationResult& r = results[0];
  EXPECT_THAT(ChainDevices(r),
              ElementsAre("sdb", "sdb1", "md0", "dm-2", "/vol"));
  EXPECT_EQ(StepRange(r, 1), (ByteSpan{2105344, 4096}));
  EXPECT_EQ(StepRange(r, 2), (ByteSpan{1056768, 4096}));
  EXPECT_EQ(r.range, (ByteSpan{8192, 4096}));
  EXPECT_EQ(r.verdict, Verdict::kRepairable);
  // md0's first MiB under the PV header is not in any LV.
  auto header = MustTranslate(t, "sdb", 2105344, 4096);
  ASSERT_EQ(header.size(), 1u);
  EXPECT_EQ(header[0].device, "md0");
  EXPECT_EQ(header[0].verdict, Verdict::kRepairable);
  EXPECT_THAT(header[0].reason, HasSubstr("md0: not used by dm-2"));
}

TEST(StackTranslatorTest, OnePvUnderTwoLvsFollowsEveryPath) {
  // sdb2 as an LVM PV (instead of vg0-data): dm-1 maps sdb2 [2048 s, +1 MiB)
  // = [1048576, 2097152), dm-2 maps [6144 s, +1 MiB) = [3145728, 4194304);
  // [2097152, 3145728) is unallocated. sdb2 [1048576, 4194304) splits into
  // dm-1 [0, 1 MiB) on /a, dm-2 [0, 1 MiB) on /b and the unallocated gap.
  mfr::v1::Topology t = testing::StackedMdDm();
  t.mutable_devices()->DeleteSubrange(t.devices_size() - 1, 1);  // dm-0
  t.mutable_mounts()->DeleteSubrange(1, 3);  // /srv, /var/www, /mnt/srv-copy
  auto extra = testing::ParseTopology(R"pb(
    devices {
      name: "dm-1"
      dev { major: 253 minor: 1 }
      size_bytes: 1048576
      slaves: "sdb2"
      dm {
        dm_name: "vg2-a"
        targets {
          start_bytes: 0
          length_bytes: 1048576
          type: "linear"
          args: "8:18 2048"
        }
      }
    }
    devices {
      name: "dm-2"
      dev { major: 253 minor: 2 }
      size_bytes: 1048576
      slaves: "sdb2"
      dm {
        dm_name: "vg2-b"
        targets {
          start_bytes: 0
          length_bytes: 1048576
          type: "linear"
          args: "/dev/sdb2 6144"
        }
      }
    }
    mounts { mount_point: "/a" device: "dm-1" fs_type: "ext4" root: "/" }
    mounts { mount_point: "/b" device: "dm-2" fs_type: "ext4" root: "/" }
  )pb");
  ASSERT_TRUE(extra.ok());
  t.MergeFrom(*extra);
  auto results = MustTranslate(t, "sdb2", 1048576, 3145728);
  ExpectWellFormed(results);
  std::vector<std::string> points;
  for (const TranslationResult& r : results) {
    points.push_back(r.mapped ? r.mount.mount_point() : r.device);
  }
  EXPECT_THAT(points, ElementsAre("/a", "/b", "sdb2"));
  EXPECT_EQ(results[0].range, (ByteSpan{0, 1048576}));
  EXPECT_EQ(StepRange(results[0], 0), (ByteSpan{1048576, 1048576}));
  EXPECT_EQ(results[1].range, (ByteSpan{0, 1048576}));
  EXPECT_EQ(StepRange(results[1], 0), (ByteSpan{3145728, 1048576}));
  EXPECT_EQ(results[2].range, (ByteSpan{2097152, 1048576}));
  EXPECT_THAT(results[2].reason, HasSubstr("sdb2: not used by dm-1, dm-2"));
}

}  // namespace
}  // namespace mfr::controller::resolve
