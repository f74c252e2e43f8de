// Table tests for the partition layer, on the partitions of sdb in
// agent/topology/testdata/stacked_md_dm.tree (sysfs start/size in 512-byte
// sectors, here in bytes) and an msdos extended partition.
#include "controller/resolve/partition_map.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

// sdb1: start 2048 s = 1048576, size 10485760 s = 5368709120.
// sdb2: start 10487808 s = 5369757696, size 10483712 s = 5367660544.
// sdb1 ends at 1048576 + 5368709120 = 5369757696 = sdb2's start.
constexpr uint64_t kSdb1Start = 1048576;
constexpr uint64_t kSdb2Start = 5369757696;
const std::vector<PartitionExtent> kSdb = {
    {"sdb1", 1, kSdb1Start, 5368709120},
    {"sdb2", 2, kSdb2Start, 5367660544},
};

struct Want {
  std::string device;
  ByteSpan lower;
  ByteSpan upper;
};

void Expect(const LayerMapping& got, const std::vector<Want>& want,
            const char* name) {
  ASSERT_EQ(got.up.size(), want.size()) << name;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got.up[i].device, want[i].device) << name;
    EXPECT_EQ(got.up[i].lower, want[i].lower) << name << " piece " << i;
    EXPECT_EQ(got.up[i].upper, want[i].upper) << name << " piece " << i;
  }
  EXPECT_TRUE(got.stop.empty()) << name;
}

TEST(PartitionMapTest, MapsDiskRangesToPartitions) {
  struct Case {
    const char* name;
    ByteSpan range;
    std::vector<Want> want;
  };
  const Case kCases[] = {
      // The GPT header and table live in [0, 1 MiB): no partition.
      {"partition table", {0, 4096}, {}},
      // 1048576 + 8192 - 1048576 = 8192.
      {"inside sdb1",
       {kSdb1Start + 8192, 4096},
       {{"sdb1", {kSdb1Start + 8192, 4096}, {8192, 4096}}}},
      // Starts 512 bytes before sdb1: only [1048576, +512) is sdb1's.
      {"clipped at partition start",
       {kSdb1Start - 512, 1024},
       {{"sdb1", {kSdb1Start, 512}, {0, 512}}}},
      // [5369757696 - 4096, + 8192): last 4096 of sdb1 (5368709120 - 4096 =
      // 5368705024) and first 4096 of sdb2.
      {"straddles sdb1 and sdb2",
       {kSdb2Start - 4096, 8192},
       {{"sdb1", {kSdb2Start - 4096, 4096}, {5368705024, 4096}},
        {"sdb2", {kSdb2Start, 4096}, {0, 4096}}}},
      // sdb2 ends at 5369757696 + 5367660544 = 10737418240 = end of sdb.
      {"last byte of sdb2",
       {10737418239, 1},
       {{"sdb2", {10737418239, 1}, {5367660543, 1}}}},
      {"past every partition", {10737418240, 512}, {}},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<LayerMapping> got = MapDiskToPartitions(kSdb, c.range);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    Expect(*got, c.want, c.name);
  }
}

TEST(PartitionMapTest, OverlappingExtendedPartitionGetsItsOwnPiece) {
  // msdos: sda2 is an extended partition the kernel shows as 2 sectors
  // (1024 bytes) at its start, 209715200; logical sda5 starts 2048 sectors
  // (1048576) later. A zero-size entry covers nothing.
  const std::vector<PartitionExtent> sda = {
      {"sda2", 2, 209715200, 1024},
      {"sda5", 5, 210763776, 104857600},
      {"sda6", 6, 209715200, 0},
  };
  absl::StatusOr<LayerMapping> got =
      MapDiskToPartitions(sda, {209715200, 2097152});
  ASSERT_TRUE(got.ok()) << got.status();
  // sda5: [210763776, 211812352) - 210763776 = [0, 1048576).
  Expect(*got,
         {{"sda2", {209715200, 1024}, {0, 1024}},
          {"sda5", {210763776, 1048576}, {0, 1048576}}},
         "extended");
  EXPECT_EQ(got->up[1].note, "partition 5, start 210763776");
}

TEST(PartitionMapTest, RejectsBadRangesAndPartitions) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(MapDiskToPartitions(kSdb, {4096, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MapDiskToPartitions(kSdb, {max - 10, 11}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<PartitionExtent> bad = {{"sdz1", 1, max - 10, 11}};
  EXPECT_EQ(MapDiskToPartitions(bad, {0, 512}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mfr::controller::resolve
