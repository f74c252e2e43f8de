// Table tests of PmemAddressMap on the recorded layout (testdata/README.md):
// memory-failure page frames and MCE/GHES cache lines, region ranges.
#include "agent/pmem/pmem_address_map.h"

#include "agent/pmem/recorded_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

using sources::ByteSpan;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kGiB;
using testing::kMiB;

TEST(FromPhysical, PageFramesAndCacheLines) {
  const PmemAddressMap map = testing::RecordedAddressMap();
  const uint64_t kPage = 4096;
  const struct {
    const char* what;
    ByteSpan physical;
    std::optional<DeviceSpan> expected;
  } cases[] = {
      {"pmem0 first data page",
       {testing::kPmem0DataStart, kPage},
       DeviceSpan{"pmem0", {0, kPage}}},
      {"pmem0 1 GiB in (pfn 0x280200)",
       {0x280200ull * kPage, kPage},
       DeviceSpan{"pmem0", {kGiB, kPage}}},
      {"pmem0 last page",
       {testing::kPmem0DataStart + testing::kPmem0Bytes - kPage, kPage},
       DeviceSpan{"pmem0", {testing::kPmem0Bytes - kPage, kPage}}},
      {"GHES cache line in pmem0",
       {0x280200040, 64},
       DeviceSpan{"pmem0", {kGiB + 64, 64}}},
      {"pmem0 info block",
       {testing::kRegion0Start + kPage, kPage},
       std::nullopt},
      {"devdax data", {testing::kDevdaxDataStart, kPage}, std::nullopt},
      {"pmem1 (raw) page 5",
       {testing::kRegion1Start + 5 * kPage, kPage},
       DeviceSpan{"pmem1", {5 * kPage, kPage}}},
      {"ordinary DRAM (pfn 0x1234)", {0x1234ull * kPage, kPage}, std::nullopt},
      {"free space of region0", {0x540000000, kPage}, std::nullopt},
      {"past every region", {0xa40000000, kPage}, std::nullopt},
      {"overflowing", {UINT64_MAX - 10, 64}, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(map.FromPhysical(c.physical), c.expected) << c.what;
  }
}

TEST(FromPhysical, NothingDiscoveredMeansNothingMaps) {
  EXPECT_EQ(PmemAddressMap().FromPhysical({testing::kPmem0DataStart, 4096}),
            std::nullopt);
}

TEST(FromRegion, RecordedRegion0Badblocks) {
  const PmemAddressMap map = testing::RecordedAddressMap();
  // region0/badblocks of the tree: info block, straddling the data start,
  // 1 GiB into pmem0, devdax info block and data.
  const std::vector<ByteSpan> region0 = {{8 * 512, 8 * 512},
                                         {4088 * 512, 16 * 512},
                                         {2101248ull * 512, 512},
                                         {16777216ull * 512, 8 * 512},
                                         {16781312ull * 512, 8 * 512}};
  EXPECT_THAT(map.FromRegion("region0", region0),
              ElementsAre(DeviceSpan{"pmem0", {0, 8 * 512}},
                          DeviceSpan{"pmem0", {kGiB, 512}}));
  EXPECT_THAT(map.FromRegion("region1", {{512 * kMiB, 4096}}),
              ElementsAre(DeviceSpan{"pmem1", {512 * kMiB, 4096}}));
  EXPECT_THAT(map.FromRegion("region7", region0), IsEmpty());
  EXPECT_THAT(map.FromRegion("region0", {}), IsEmpty());
}

}  // namespace
}  // namespace mfr::agent::pmem
