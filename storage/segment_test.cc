// The storage encodings of segment.h: segment runs and staged raw records.
#include "storage/segment.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mfr::storage {
namespace {

using mfr::v1::OWNER_KIND_EXTENT_MAP;
using mfr::v1::OWNER_KIND_FILE_ATTR_FORK;
using mfr::v1::OWNER_KIND_FILE_DATA;
using mfr::v1::OWNER_KIND_FREE_SPACE;
using mfr::v1::OWNER_KIND_METADATA;
using mfr::v1::OWNER_KIND_UNKNOWN;

Owner File(uint64_t inode, uint64_t offset, bool unwritten = false) {
  return Owner{OWNER_KIND_FILE_DATA, mfr::v1::METADATA_KIND_UNSPECIFIED, inode,
               offset, unwritten};
}
Owner Attr(uint64_t inode, uint64_t offset) {
  return Owner{OWNER_KIND_FILE_ATTR_FORK, mfr::v1::METADATA_KIND_UNSPECIFIED,
               inode, offset};
}
Owner Bmbt(uint64_t inode) {
  return Owner{OWNER_KIND_EXTENT_MAP, mfr::v1::METADATA_KIND_UNSPECIFIED,
               inode};
}
Owner Log() { return Owner{OWNER_KIND_METADATA, mfr::v1::METADATA_KIND_LOG}; }
Owner Free() { return Owner{OWNER_KIND_FREE_SPACE}; }
Owner Unknown() { return Owner{OWNER_KIND_UNKNOWN}; }

std::string Encode(const std::vector<Segment>& segments) {
  SegmentRunEncoder run;
  for (const Segment& s : segments) run.Add(s);
  std::string value;
  run.Finish(&value);
  return value;
}

std::vector<Segment> DecodeAll(uint64_t end, const std::string& value,
                               absl::Status* status) {
  SegmentRunReader reader(end, value);
  std::vector<Segment> out;
  Segment s;
  while (reader.Next(&s)) out.push_back(s);
  *status = reader.status();
  return out;
}

TEST(SegmentRunTest, RoundTrips) {
  const struct {
    const char* name;
    std::vector<Segment> segments;
  } kCases[] = {
      {"one file segment", {{4096, 4096, {File(12, 0)}}}},
      {"adjacent and apart",
       {{0, 1024, {Log()}},
        {1024, 3072, {File(7, 1ULL << 40, /*unwritten=*/true)}},
        {1ULL << 30, 512, {Free()}}}},
      {"reflink: several owners",
       {{8192, 4096, {File(10, 0), File(11, 4096), File(12, 8192)}}}},
      {"every owner kind",
       {{0, 1, {Attr(3, 9), Bmbt(3)}}, {1, 1, {Unknown()}}, {5, 1, {Log()}}}},
      {"at the top of the address space",
       {{UINT64_MAX - 10, 10, {File(1, UINT64_MAX - 1)}}}},
  };
  for (const auto& c : kCases) {
    const Segment& last = c.segments.back();
    absl::Status status;
    auto back =
        DecodeAll(last.start + last.length, Encode(c.segments), &status);
    EXPECT_TRUE(status.ok()) << c.name << ": " << status;
    EXPECT_EQ(back, c.segments) << c.name;
  }
}

TEST(SegmentRunTest, EncoderIsReusableAndSaysWhenFull) {
  SegmentRunEncoder run;
  EXPECT_TRUE(run.empty());
  for (uint64_t i = 0; i < SegmentRunEncoder::kMaxSegments; ++i) {
    EXPECT_FALSE(run.full()) << i;
    run.Add({i * 10, 10, {File(i + 1, 0)}});
  }
  EXPECT_TRUE(run.full());
  EXPECT_EQ(run.end(), SegmentRunEncoder::kMaxSegments * 10);
  std::string value;
  run.Finish(&value);
  EXPECT_TRUE(run.empty());
  run.Add({1000, 5, {Free()}});  // a new run starts from scratch
  run.Finish(&value);
  absl::Status status;
  auto back = DecodeAll(1005, value, &status);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(back, std::vector<Segment>({{1000, 5, {Free()}}}));

  std::vector<Owner> many(200, File(1, 0));  // a big reflink fan-out
  run.Add({0, 1, many});
  EXPECT_TRUE(run.full());  // by bytes, long before kMaxSegments
}

TEST(SegmentRunTest, RejectsMalformedRuns) {
  const std::string valid = Encode({{0, 10, {File(1, 0)}}});
  const struct {
    const char* why;
    uint64_t end;
    std::string value;
  } kBad[] = {
      {"empty", 10, ""},
      {"span of zero", 10, std::string("\x00", 1)},
      {"span past address 0", 5, valid},
      {"no segments", 10, "\x0a"},
      {"truncated header", 10, "\x0a\x00"},
      {"first gap not zero", 11, std::string("\x0b\x01\x0a\x01\x0a", 5)},
      {"zero length", 10, std::string("\x0a\x00\x00\x01\x0a", 5)},
      {"no owners", 10, std::string("\x0a\x00\x0a\x00", 4)},
      {"owner count past the bytes", 10,
       std::string("\x0a\x00\x0a\x7f\x0a", 5)},
      {"kind 0", 10, std::string("\x0a\x00\x0a\x01\x00", 5)},
      {"not in snapshot", 10, std::string("\x0a\x00\x0a\x01\x0e", 5)},
      {"unknown kind", 10, std::string("\x0a\x00\x0a\x01\x7e", 5)},
      {"bad metadata kind", 10, std::string("\x0a\x00\x0a\x01\x08\x7f", 6)},
      {"truncated owner", 10, valid.substr(0, valid.size() - 1)},
      {"ends before its key", 11, std::string("\x0b\x00\x0a\x01\x0a", 5)},
      {"second segment past the key", 10,
       std::string("\x0a\x00\x0a\x01\x0a\x00\x05\x01\x0a", 9)},
      {"trailing garbage", 10, valid + "x"},
      {"endless varint", 10,
       "\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
  };
  for (const auto& bad : kBad) {
    absl::Status status;
    DecodeAll(bad.end, bad.value, &status);
    EXPECT_FALSE(status.ok()) << bad.why;
  }
}

TEST(RawRecordCodecTest, RoundTripsAndRejectsGarbage) {
  RawRecord r{1ULL << 50, 77, File(3, 9)};
  auto decoded = DecodeRawRecord(EncodeRawRecord(r));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->start, r.start);
  EXPECT_EQ(decoded->length, r.length);
  EXPECT_EQ(decoded->owner, r.owner);
  EXPECT_FALSE(DecodeRawRecord("\x80").ok());
}

}  // namespace
}  // namespace mfr::storage
