#include "common/byte_range.h"

#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace mfr {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

TEST(ValidateSpanTest, Table) {
  struct Case {
    ByteSpan span;
    bool ok;
  } cases[] = {
      {{0, 1}, true},           {{4096, 4096}, true},
      {{kMax - 1, 1}, true},  // end() == 2^64 - 1: representable
      {{0, 0}, false},          {{kMax, 1}, false},
      {{kMax - 10, 11}, false}, {{1, kMax}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ValidateSpan(c.span).ok(), c.ok)
        << c.span.offset << "+" << c.span.length;
  }
}

TEST(IntersectTest, Table) {
  struct Case {
    ByteSpan a, b;
    std::optional<ByteSpan> want;
  } cases[] = {
      {{0, 10}, {5, 10}, ByteSpan{5, 5}},
      {{0, 10}, {10, 5}, std::nullopt},  // touching is not overlapping
      {{0, 10}, {2, 3}, ByteSpan{2, 3}},
      {{5, 1}, {0, 100}, ByteSpan{5, 1}},
      {{100, 10}, {0, 50}, std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Intersect(c.a, c.b), c.want);
    EXPECT_EQ(Intersect(c.b, c.a), c.want);
  }
}

TEST(UncoveredTest, IsRangeMinusUnion) {
  struct Case {
    const char* name;
    ByteSpan range;
    std::vector<ByteSpan> covered;
    std::vector<ByteSpan> want;
  };
  const Case kCases[] = {
      {"nothing covered", {10, 90}, {}, {{10, 90}}},
      {"all covered", {10, 90}, {{0, 200}}, {}},
      {"middle hole", {0, 100}, {{0, 40}, {60, 40}}, {{40, 20}}},
      {"unsorted, overlapping",
       {0, 100},
       {{50, 10}, {20, 40}, {0, 5}},
       {{5, 15}, {60, 40}}},
      {"outside spans ignored", {100, 10}, {{0, 50}, {200, 5}}, {{100, 10}}},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Uncovered(c.range, c.covered), c.want) << c.name;
  }
}

TEST(NormalizeTest, SortsMergesAndDropsEmpty) {
  struct Case {
    const char* name;
    std::vector<ByteSpan> in, want;
  };
  const Case kCases[] = {
      {"empty", {}, {}},
      {"touching merge", {{10, 5}, {0, 10}}, {{0, 15}}},
      {"overlap merge", {{0, 10}, {5, 10}, {30, 1}}, {{0, 15}, {30, 1}}},
      {"contained", {{0, 100}, {10, 5}}, {{0, 100}}},
      {"zero length dropped", {{5, 0}, {7, 1}}, {{7, 1}}},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(Normalize(c.in), c.want) << c.name;
  }
}

}  // namespace
}  // namespace mfr
