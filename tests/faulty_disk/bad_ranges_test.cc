#include "tests/faulty_disk/bad_ranges.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::faulty_disk {
namespace {

using ::testing::ElementsAreArray;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// One step: mark bad ('+'), heal ('-') or clear ('0').
struct Step {
  char op;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Case {
  std::string name;
  std::vector<Step> steps;
  std::vector<ByteSpan> want;  // the set afterwards
  uint64_t want_healed;        // sum of Remove() results
  int want_rejected;           // Add() calls that failed
};

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"one sector", {{'+', 512, 512}}, {{512, 512}}, 0, 0},
      {"disjoint stay apart",
       {{'+', 4096, 512}, {'+', 0, 512}},
       {{0, 512}, {4096, 512}},
       0,
       0},
      {"touching join", {{'+', 0, 512}, {'+', 512, 512}}, {{0, 1024}}, 0, 0},
      {"overlapping join",
       {{'+', 0, 1024}, {'+', 512, 1024}},
       {{0, 1536}},
       0,
       0},
      {"one bridges several",
       {{'+', 0, 512}, {'+', 1024, 512}, {'+', 2048, 512}, {'+', 256, 2048}},
       {{0, 2560}},
       0,
       0},
      {"contained add changes nothing",
       {{'+', 0, 4096}, {'+', 512, 512}},
       {{0, 4096}},
       0,
       0},
      {"zero length rejected", {{'+', 512, 0}}, {}, 0, 1},
      {"overflow rejected", {{'+', kMax, 2}}, {}, 0, 1},
      {"up to the last byte",
       {{'+', kMax - 512, 512}},
       {{kMax - 512, 512}},
       0,
       0},
      {"heal everything", {{'+', 0, 4096}, {'-', 0, 4096}}, {}, 4096, 0},
      {"heal the middle sector",
       {{'+', 0, 1536}, {'-', 512, 512}},
       {{0, 512}, {1024, 512}},
       512,
       0},
      {"heal the front",
       {{'+', 512, 1024}, {'-', 0, 1024}},
       {{1024, 512}},
       512,
       0},
      {"heal the back", {{'+', 0, 1024}, {'-', 512, 4096}}, {{0, 512}}, 512, 0},
      {"heal across two ranges",
       {{'+', 0, 1024}, {'+', 2048, 1024}, {'-', 512, 2048}},
       {{0, 512}, {2560, 512}},
       1024,
       0},
      {"heal good bytes clears nothing",
       {{'+', 4096, 512}, {'-', 0, 4096}, {'-', 4608, 512}},
       {{4096, 512}},
       0,
       0},
      {"heal zero length is a no-op",
       {{'+', 0, 512}, {'-', 0, 0}},
       {{0, 512}},
       0,
       0},
      {"partial overwrite of a sector leaves the rest bad",
       {{'+', 0, 512}, {'-', 0, 100}},
       {{100, 412}},
       100,
       0},
      {"clear", {{'+', 0, 512}, {'+', 8192, 512}, {'0'}}, {}, 0, 0},
      {"bad again after heal",
       {{'+', 0, 512}, {'-', 0, 512}, {'+', 0, 512}},
       {{0, 512}},
       512,
       0},
  };
  return *cases;
}

TEST(BadRangesTest, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    BadRanges bad;
    uint64_t healed = 0;
    int rejected = 0;
    for (const Step& s : c.steps) {
      if (s.op == '+') rejected += !bad.Add({s.offset, s.length}).ok();
      if (s.op == '-') healed += bad.Remove({s.offset, s.length});
      if (s.op == '0') bad.Clear();
    }
    EXPECT_THAT(bad.List(), ElementsAreArray(c.want));
    EXPECT_EQ(healed, c.want_healed);
    EXPECT_EQ(rejected, c.want_rejected);
    uint64_t total = 0;
    for (const ByteSpan& s : c.want) total += s.length;
    EXPECT_EQ(bad.bad_bytes(), total);
  }
}

TEST(BadRangesTest, OverlapsTable) {
  BadRanges bad;  // [1024, 1536) and [4096, 8192)
  ASSERT_TRUE(bad.Add({1024, 512}).ok());
  ASSERT_TRUE(bad.Add({4096, 4096}).ok());
  const struct {
    uint64_t offset, length;
    bool want;
  } cases[] = {
      {0, 1024, false},     // ends where the bad range starts
      {0, 1025, true},      // its first byte
      {1535, 1, true},      // its last byte
      {1536, 2560, false},  // the gap exactly
      {1536, 2561, true},   // the gap and one byte more
      {0, 65536, true},     // covers everything
      {5000, 1, true},      // inside
      {8192, 4096, false},  // after the end
      {1024, 0, false},     // empty
      {kMax, 2, false},     // overflowing
  };
  for (const auto& c : cases) {
    EXPECT_EQ(bad.Overlaps({c.offset, c.length}), c.want)
        << c.offset << "+" << c.length;
  }
}

}  // namespace
}  // namespace mfr::faulty_disk
