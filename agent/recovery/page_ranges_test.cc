// Tables for the page arithmetic of the rewriter.
#include "agent/recovery/page_ranges.h"

#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

using ::testing::ElementsAre;

TEST(AlignOutwardTest, Table) {
  struct Case {
    ByteSpan in;
    ByteSpan want;
  };
  const Case cases[] = {
      {{0, 1}, {0, 4096}},          {{0, 4096}, {0, 4096}},
      {{1, 4095}, {0, 4096}},       {{4095, 2}, {0, 8192}},
      {{8192, 4096}, {8192, 4096}}, {{10000, 10000}, {8192, 12288}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ByteSpan> got = AlignOutward(c.in, 4096);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want) << c.in.offset << "+" << c.in.length;
  }
}

TEST(AlignOutwardTest, RejectsBadInput) {
  EXPECT_FALSE(AlignOutward({0, 0}, 4096).ok());
  EXPECT_FALSE(AlignOutward({0, 1}, 0).ok());
  EXPECT_FALSE(AlignOutward({0, 1}, 3000).ok());
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(AlignOutward({max - 10, 20}, 4096).ok());   // overflow
  EXPECT_FALSE(AlignOutward({max - 100, 50}, 4096).ok());  // rounds past
}

TEST(AppendMergedTest, MergesTouchingAndOverlapping) {
  std::vector<ByteSpan> spans;
  AppendMerged(&spans, {0, 10});
  AppendMerged(&spans, {10, 5});   // touches
  AppendMerged(&spans, {12, 10});  // overlaps
  AppendMerged(&spans, {30, 0});   // empty: ignored
  AppendMerged(&spans, {40, 2});
  EXPECT_THAT(spans, ElementsAre(ByteSpan{0, 22}, ByteSpan{40, 2}));
}

TEST(AppendClippedTest, KeepsOnlyTheClip) {
  std::vector<ByteSpan> spans;
  const ByteSpan clip{100, 8000};
  AppendClipped(&spans, {0, 4096}, clip);
  AppendClipped(&spans, {4096, 4096}, clip);
  AppendClipped(&spans, {12288, 4096}, clip);  // outside
  EXPECT_THAT(spans, ElementsAre(ByteSpan{100, 8000}));
}

}  // namespace
}  // namespace mfr::agent::recovery
