// Tests of the pmem badblocks parser and range math, on the recorded layout
// described in testdata/README.
#include "agent/sources/pmem_badblocks.h"

#include <string>
#include <vector>

#include "agent/sources/test_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kRegion = 0x240000000;

PmemNamespaceLayout Namespace00() {
  PmemNamespaceLayout l;
  l.region_start = kRegion;
  l.physical_start = kRegion + 32 * kMiB;
  l.size = 8ull << 30;
  l.data_offset = 2 * kMiB;
  return l;
}

ByteSpan Sectors(uint64_t sector, uint64_t count) {
  return {sector * 512, count * 512};
}

TEST(ParseBadblocks, RecordedFiles) {
  absl::StatusOr<std::string> text =
      testing::ReadTestData("region0_badblocks.txt");
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<ByteSpan>> spans = ParseBadblocks(*text);
  ASSERT_TRUE(spans.ok()) << spans.status();
  EXPECT_THAT(*spans, ElementsAre(Sectors(65536, 1), Sectors(69628, 8),
                                  Sectors(2097152, 1), Sectors(2097160, 8)));
}

TEST(ParseBadblocks, EmptyFileAndBlankLines) {
  EXPECT_THAT(*ParseBadblocks(""), IsEmpty());
  EXPECT_THAT(*ParseBadblocks("\n\n"), IsEmpty());
  EXPECT_THAT(*ParseBadblocks("8 8\n\n0 8\n"), ElementsAre(Sectors(0, 16)));
}

TEST(ParseBadblocks, MalformedTextIsAnErrorNotAPartialList) {
  for (const char* bad :
       {"1\n", "1 2 3\n", "x 1\n", "1 0\n", "-1 2\n", "1 2x\n",
        "36028797018963968 1\n", "36028797018963967 1\n",
        "1 99999999999999999999\n"}) {
    EXPECT_FALSE(ParseBadblocks(bad).ok()) << bad;
  }
  std::string many;
  for (size_t i = 0; i <= kMaxBadblocksEntries; ++i) {
    many += std::to_string(i * 16) + " 1\n";
  }
  EXPECT_FALSE(ParseBadblocks(many).ok());
  EXPECT_FALSE(
      ParseBadblocks(std::string(kMaxBadblocksTextBytes + 1, '\n')).ok());
}

TEST(NormalizeSpans, SortsMergesAndDropsBadSpans) {
  EXPECT_THAT(
      NormalizeSpans(
          {{100, 10}, {0, 10}, {10, 5}, {105, 20}, {50, 0}, {UINT64_MAX, 1}}),
      ElementsAre(ByteSpan{0, 15}, ByteSpan{100, 25}));
}

TEST(RegionToNamespace, RecordedRegionMatchesTheBlockDevice) {
  std::vector<ByteSpan> region =
      *ParseBadblocks(*testing::ReadTestData("region0_badblocks.txt"));
  std::vector<ByteSpan> device =
      *ParseBadblocks(*testing::ReadTestData("pmem0_badblocks.txt"));
  absl::StatusOr<std::vector<ByteSpan>> mapped =
      RegionToNamespace(region, Namespace00());
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(*mapped, device);
  // The info-block error is dropped; the straddling one is clipped.
  EXPECT_EQ(mapped->front(), Sectors(0, 4));
}

TEST(RegionToNamespace, DropsWhatLiesOutsideAndRejectsBadLayouts) {
  PmemNamespaceLayout l = Namespace00();
  EXPECT_THAT(*RegionToNamespace({{l.size + 32 * kMiB, 4096}}, l), IsEmpty());
  EXPECT_THAT(*RegionToNamespace({{UINT64_MAX - 10, 10}}, l), IsEmpty());
  l.physical_start = kRegion - 1;
  EXPECT_FALSE(RegionToNamespace({}, l).ok());
  l = Namespace00();
  l.data_offset = l.size;
  EXPECT_FALSE(RegionToNamespace({}, l).ok());
  l = Namespace00();
  l.size = UINT64_MAX;
  EXPECT_FALSE(RegionToNamespace({}, l).ok());
}

TEST(PfnToNamespace, PageFramesInsideAndOutside) {
  const PmemNamespaceLayout l = Namespace00();
  // 1 GiB into the region: pmem0 sector 2027520.
  const uint64_t pfn = (kRegion + (1ull << 30)) / 4096;
  EXPECT_EQ(PfnToNamespace(pfn, l), (ByteSpan{2027520ull * 512, 4096}));
  // The first data page.
  EXPECT_EQ(PfnToNamespace((kRegion + 34 * kMiB) / 4096, l),
            (ByteSpan{0, 4096}));
  // In the info block, before the region, beyond the end, overflowing.
  EXPECT_EQ(PfnToNamespace((kRegion + 33 * kMiB) / 4096, l), std::nullopt);
  EXPECT_EQ(PfnToNamespace(1, l), std::nullopt);
  EXPECT_EQ(PfnToNamespace((kRegion + (9ull << 30)) / 4096, l), std::nullopt);
  EXPECT_EQ(PfnToNamespace(UINT64_MAX / 16, l), std::nullopt);
}

TEST(PhysicalToNamespace, ClipsToTheDataArea) {
  const PmemNamespaceLayout l = Namespace00();
  const uint64_t data_start = kRegion + 34 * kMiB;
  EXPECT_EQ(PhysicalToNamespace({data_start - 64, 128}, l), (ByteSpan{0, 64}));
  EXPECT_EQ(PhysicalToNamespace({data_start + 4096 + 64, 64}, l),
            (ByteSpan{4096 + 64, 64}));
  EXPECT_EQ(PhysicalToNamespace({UINT64_MAX, 2}, l), std::nullopt);
}

TEST(DiffBadblocks, NewAndClearedIncludingPartialOverlaps) {
  const std::vector<ByteSpan> before = {Sectors(0, 8), Sectors(100, 8)};
  const std::vector<ByteSpan> after = {Sectors(4, 8), Sectors(200, 1)};
  const BadblocksDiff d = DiffBadblocks(before, after);
  EXPECT_THAT(d.added, ElementsAre(Sectors(8, 4), Sectors(200, 1)));
  EXPECT_THAT(d.cleared, ElementsAre(Sectors(0, 4), Sectors(100, 8)));
}

TEST(DiffBadblocks, SameListsAndEmptyLists) {
  const std::vector<ByteSpan> list = {Sectors(0, 8), Sectors(16, 8)};
  const BadblocksDiff same = DiffBadblocks(list, list);
  EXPECT_THAT(same.added, IsEmpty());
  EXPECT_THAT(same.cleared, IsEmpty());
  EXPECT_THAT(DiffBadblocks({}, list).added, ElementsAre(list[0], list[1]));
  EXPECT_THAT(DiffBadblocks(list, {}).cleared, ElementsAre(list[0], list[1]));
}

TEST(DiffBadblocks, OneBigSpanSplitByManySmallOnes) {
  const std::vector<ByteSpan> before = {Sectors(0, 100)};
  const std::vector<ByteSpan> after = {Sectors(10, 10), Sectors(50, 10),
                                       Sectors(90, 20)};
  const BadblocksDiff d = DiffBadblocks(before, after);
  EXPECT_THAT(d.cleared,
              ElementsAre(Sectors(0, 10), Sectors(20, 30), Sectors(60, 30)));
  EXPECT_THAT(d.added, ElementsAre(Sectors(100, 10)));
}

}  // namespace
}  // namespace mfr::agent::sources
