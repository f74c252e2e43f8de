#include "storage/segment_builder.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::storage {
namespace {

using mfr::v1::OWNER_KIND_FILE_DATA;
using mfr::v1::OWNER_KIND_FREE_SPACE;
using mfr::v1::OWNER_KIND_METADATA;
using mfr::v1::OWNER_KIND_UNKNOWN;

Owner File(uint64_t inode, uint64_t offset) {
  return Owner{OWNER_KIND_FILE_DATA, mfr::v1::METADATA_KIND_UNSPECIFIED, inode,
               offset, false};
}
Owner Free() { return Owner{OWNER_KIND_FREE_SPACE}; }
Owner Unknown() { return Owner{OWNER_KIND_UNKNOWN}; }
Owner Log() { return Owner{OWNER_KIND_METADATA, mfr::v1::METADATA_KIND_LOG}; }

absl::StatusOr<std::vector<Segment>> Build(
    const std::vector<RawRecord>& records) {
  std::vector<Segment> out;
  SegmentBuilder builder([&](const Segment& s) {
    out.push_back(s);
    return absl::OkStatus();
  });
  for (const auto& r : records) {
    if (auto s = builder.Add(r); !s.ok()) return s;
  }
  if (auto s = builder.Finish(); !s.ok()) return s;
  return out;
}

struct Case {
  const char* name;
  std::vector<RawRecord> records;
  std::vector<Segment> want;
};

TEST(SegmentBuilderTest, Table) {
  const Case cases[] = {
      {"empty", {}, {}},
      {"one file extent", {{0, 4096, File(5, 0)}}, {{0, 4096, {File(5, 0)}}}},
      {"adjacent records stay separate segments",
       {{0, 10, File(5, 0)}, {10, 10, Free()}},
       {{0, 10, {File(5, 0)}}, {10, 10, {Free()}}}},
      {"gap produces no segment",
       {{0, 10, Log()}, {50, 10, Free()}},
       {{0, 10, {Log()}}, {50, 10, {Free()}}}},
      {"reflink: identical ranges, two owners",
       {{100, 50, File(7, 0)}, {100, 50, File(8, 4096)}},
       {{100, 50, {File(7, 0), File(8, 4096)}}}},
      {"reflink: partial overlap cuts three segments, offsets shift",
       {{0, 100, File(1, 1000)}, {40, 100, File(2, 0)}},
       {{0, 40, {File(1, 1000)}},
        {40, 60, {File(1, 1040), File(2, 0)}},
        {100, 40, {File(2, 60)}}}},
      {"nested record",
       {{0, 100, File(1, 0)}, {10, 20, File(2, 0)}},
       {{0, 10, {File(1, 0)}},
        {10, 20, {File(1, 10), File(2, 0)}},
        {30, 70, {File(1, 30)}}}},
      {"unknown dropped where a file is known (ext4 + FIEMAP)",
       {{0, 100, Unknown()}, {20, 30, File(9, 0)}},
       {{0, 20, {Unknown()}}, {20, 30, {File(9, 0)}}, {50, 50, {Unknown()}}}},
      {"duplicate records merge",
       {{0, 10, File(3, 0)}, {0, 10, File(3, 0)}},
       {{0, 10, {File(3, 0)}}}},
  };
  for (const Case& c : cases) {
    auto got = Build(c.records);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.name;
  }
}

TEST(SegmentBuilderTest, RejectsBadRecords) {
  EXPECT_EQ(Build({{10, 0, Free()}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Build({{~0ULL - 5, 10, Free()}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Build({{100, 10, Free()}, {50, 10, Free()}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SegmentBuilderTest, SinkErrorStopsTheBuilder) {
  SegmentBuilder builder(
      [](const Segment&) { return absl::UnavailableError("disk full"); });
  ASSERT_TRUE(builder.Add({0, 10, Free()}).ok());
  EXPECT_EQ(builder.Add({20, 10, Free()}).code(),
            absl::StatusCode::kUnavailable);
}

// Property: for every byte position, the owners named by the segment that
// covers it equal a brute-force search over all records (file offsets
// adjusted to that byte), and segments are disjoint and ordered.
TEST(SegmentBuilderTest, MatchesBruteForceOnRandomRecordSets) {
  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 300; ++round) {
    std::vector<RawRecord> records;
    const int n = 1 + rng() % 40;
    for (int i = 0; i < n; ++i) {
      const uint64_t start = rng() % 200, length = 1 + rng() % 60;
      const bool shared_kind = rng() % 20 == 0;  // ~5% non-file owners
      records.push_back(
          {start, length,
           shared_kind ? Free() : File(1 + rng() % 6, rng() % 1000)});
    }
    std::stable_sort(records.begin(), records.end(),
                     [](const RawRecord& a, const RawRecord& b) {
                       return a.start < b.start;
                     });
    auto segments = Build(records);
    ASSERT_TRUE(segments.ok()) << segments.status();

    uint64_t previous_end = 0;
    std::map<uint64_t, const Segment*> by_byte;
    for (const Segment& s : *segments) {
      ASSERT_GE(s.start, previous_end);
      ASSERT_GT(s.length, 0u);
      previous_end = s.start + s.length;
      for (uint64_t b = s.start; b < s.start + s.length; ++b) by_byte[b] = &s;
    }
    for (uint64_t byte = 0; byte < 270; ++byte) {
      std::set<Owner> want;
      for (const RawRecord& r : records) {
        if (byte < r.start || byte >= r.start + r.length) continue;
        Owner o = r.owner;
        if (o.kind == OWNER_KIND_FILE_DATA) o.file_offset += byte - r.start;
        want.insert(o);
      }
      std::set<Owner> got;
      if (auto it = by_byte.find(byte); it != by_byte.end()) {
        for (Owner o : it->second->owners) {
          if (o.kind == OWNER_KIND_FILE_DATA) {
            o.file_offset += byte - it->second->start;
          }
          got.insert(o);
        }
      }
      ASSERT_EQ(got, want) << "round " << round << " byte " << byte;
    }
  }
}

}  // namespace
}  // namespace mfr::storage
