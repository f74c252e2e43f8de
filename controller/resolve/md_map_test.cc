// Table tests for the md layer on the arrays of
// agent/topology/testdata/stacked_md_dm.tree: md0 (raid1 over sdb1 + sdc1,
// data offset 2048 s = 1048576) and md1 (raid5, chunk 524288,
// left-symmetric, over sdd/sde/sdf at data offset 264192 s = 135266304,
// spare sdg), plus raid0 and raid10 arrays.
#include "controller/resolve/md_map.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kMd0Offset = 1048576;
constexpr uint64_t kMd1Offset = 135266304;
constexpr uint64_t kChunk = 524288;

MdGeometry Md0() {
  MdGeometry g;
  g.name = "md0";
  g.level_text = "raid1";
  g.level = MdLevel::kRaid1;
  g.raid_disks = 2;
  g.array_bytes = 5367660544;  // 10483712 s
  g.legs = {{"sdb1", 0, kMd0Offset, true, "in_sync", 5368709120},
            {"sdc1", 1, kMd0Offset, true, "in_sync", 5368709120}};
  return g;
}

MdGeometry Md1() {
  MdGeometry g;
  g.name = "md1";
  g.level_text = "raid5";
  g.level = MdLevel::kRaid5;
  g.chunk_bytes = kChunk;
  g.raid_disks = 3;
  g.layout = 2;
  g.array_bytes = 4024434688;  // 7860224 s = 2 x 3838 chunks
  for (const char* d : {"sdd", "sde", "sdf"}) {
    g.legs.push_back({d, static_cast<int32_t>(g.legs.size()), kMd1Offset, true,
                      "in_sync", 2147483648});
  }
  g.legs.push_back({"sdg", -1, kMd1Offset, false, "spare", 2147483648});
  return g;
}

struct Piece {
  bool up;  // UpPiece, else StopPiece
  ByteSpan lower;
  ByteSpan upper;  // UpPiece only
  bool repairable;
  std::string text;  // substring of the note / reason
};

void Expect(const MdGeometry& g, const std::string& member, ByteSpan range,
            const std::vector<Piece>& want, const std::string& name) {
  absl::StatusOr<LayerMapping> got = MapMemberToMd(g, member, range);
  ASSERT_TRUE(got.ok()) << name << ": " << got.status();
  size_t up = 0, stop = 0;
  for (const Piece& w : want) {
    if (w.up) {
      ASSERT_LT(up, got->up.size()) << name;
      const UpPiece& p = got->up[up++];
      EXPECT_EQ(p.device, g.name) << name;
      EXPECT_EQ(p.lower, w.lower) << name;
      EXPECT_EQ(p.upper, w.upper) << name;
      EXPECT_EQ(p.repairable, w.repairable) << name;
      EXPECT_THAT(p.note, HasSubstr(w.text)) << name;
    } else {
      ASSERT_LT(stop, got->stop.size()) << name;
      const StopPiece& p = got->stop[stop++];
      EXPECT_EQ(p.lower, w.lower) << name;
      EXPECT_EQ(p.repairable, w.repairable) << name;
      EXPECT_THAT(p.reason, HasSubstr(w.text)) << name;
    }
  }
  EXPECT_EQ(up, got->up.size()) << name;
  EXPECT_EQ(stop, got->stop.size()) << name;
}

TEST(MdMapTest, Raid1Legs) {
  const MdGeometry g = Md0();
  const std::string kLeft = "raid1 leg sdb1 (slot 0): repairable, 1 of 2";
  // array = member - 1048576.
  Expect(g, "sdb1", {0, 4096},
         {{false, {0, 4096}, {}, false, "md metadata area of sdb1"}},
         "superblock area");
  Expect(g, "sdb1", {kMd0Offset + 4096, 4096},
         {{true, {kMd0Offset + 4096, 4096}, {4096, 4096}, true, kLeft}},
         "data");
  Expect(g, "sdb1", {kMd0Offset - 512, 1024},
         {{false, {kMd0Offset - 512, 512}, {}, false, "before data offset"},
          {true, {kMd0Offset, 512}, {0, 512}, true, kLeft}},
         "straddles the data offset");
  // Last byte of the data: 1048576 + 5367660544 - 1 = 5368709119.
  Expect(g, "sdc1", {5368709119, 1},
         {{true, {5368709119, 1}, {5367660543, 1}, true, "sdc1 (slot 1)"}},
         "last data byte");
  MdGeometry small = Md0();
  small.array_bytes -= 4096;  // e.g. a bitmap at the end
  Expect(small, "sdb1", {5368709120 - 8192, 8192},
         {{true, {5368709120 - 8192, 4096}, {5367652352, 4096}, true, kLeft},
          {false, {5368709120 - 4096, 4096}, {}, false, "past the data area"}},
         "past the data area");
  MdGeometry degraded = Md0();
  degraded.legs[1].in_sync = false;
  Expect(degraded, "sdb1", {kMd0Offset, 512},
         {{true,
           {kMd0Offset, 512},
           {0, 512},
           false,
           "raid1 leg sdb1 (slot 0): loss, 0 of 2 in_sync legs left"}},
         "degraded");
}

TEST(MdMapTest, Raid5DataAndParity) {
  // Left-symmetric over 3: stripe 0: sdd D0 sde D1 sdf P; stripe 1: sdd D3
  // sde P sdf D2; stripe 2: sdd P sde D4 sdf D5. Member stripe s starts at
  // 135266304 + s * 524288; array chunk n at n * 524288.
  const MdGeometry g = Md1();
  const uint64_t s1 = kMd1Offset + kChunk;
  const uint64_t s2 = kMd1Offset + 2 * kChunk;
  // sdd stripe 1 + 4096 -> chunk 3: 1572864 + 4096 = 1576960.
  Expect(g, "sdd", {s1 + 4096, 4096},
         {{true,
           {s1 + 4096, 4096},
           {1576960, 4096},
           true,
           "raid5 data on sdd (slot 0): repairable from parity"}},
         "data chunk");
  Expect(g, "sde", {s1, 4096},
         {{false, {s1, 4096}, {}, true, "raid5 parity (P) on sde (slot 1)"}},
         "parity chunk");
  // Last 4096 of sdd's stripe 1 (chunk 3 ends at 2097152) then sdd's
  // stripe-2 parity.
  Expect(g, "sdd", {s2 - 4096, 8192},
         {{true, {s2 - 4096, 4096}, {2097152 - 4096, 4096}, true, "sdd"},
          {false, {s2, 4096}, {}, true, "parity"}},
         "data then parity");
  // sdf stripes 1 and 2: chunks 2 and 5, not contiguous: two pieces.
  Expect(g, "sdf", {s1 + kChunk - 512, 1024},
         {{true, {s1 + kChunk - 512, 512}, {3 * kChunk - 512, 512}, true, ""},
          {true, {s2, 512}, {5 * kChunk, 512}, true, ""}},
         "two data chunks");
  Expect(g, "sdg", {s1, 4096},
         {{false, {s1, 4096}, {}, false, "sdg is a spare or failed leg"}},
         "spare");
  // Each member holds 4024434688 / 2 = 2012217344 bytes of data:
  // 135266304 + 2012217344 = 2147483648, the whole disk. Its last stripe
  // is 3837 (3837 % 3 = 0: sdd holds D0 of it), array chunk 3837 * 2 =
  // 7674, whose last 512 bytes start at 7675 * 524288 - 512 = 4023909888.
  Expect(g, "sdd", {2147483648 - 512, 512},
         {{true, {2147483648 - 512, 512}, {4023909888, 512}, true, ""}},
         "last byte");
}

TEST(MdMapTest, Raid0AndRaid10ThroughTheLayer) {
  MdGeometry r0 = Md1();
  r0.name = "md2";
  r0.level = MdLevel::kRaid0;
  r0.layout = 0;
  r0.legs.pop_back();
  r0.array_bytes = 3 * 3838 * kChunk;
  // raid0 over 3: sde (slot 1) row 2 -> chunk 2 * 3 + 1 = 7.
  absl::StatusOr<LayerMapping> got =
      MapMemberToMd(r0, "sde", {kMd1Offset + 2 * kChunk, 512});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->up.size(), 1u);
  EXPECT_EQ(got->up[0].upper, (ByteSpan{7 * kChunk, 512}));
  EXPECT_FALSE(got->up[0].repairable);

  MdGeometry r10 = r0;
  r10.level = MdLevel::kRaid10;
  r10.layout = 0x102;            // n2 over 3: row 1 = v1 v2 v2
  r10.array_bytes = 3 * kChunk;  // rows = ceil(3 * 2 / 3) = 2
  got = MapMemberToMd(r10, "sdd", {kMd1Offset + kChunk, 2 * kChunk});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->up.size(), 1u);
  EXPECT_EQ(got->up[0].upper, (ByteSpan{kChunk, kChunk}));
  EXPECT_TRUE(got->up[0].repairable);
  ASSERT_EQ(got->stop.size(), 1u);
  EXPECT_THAT(got->stop[0].reason, HasSubstr("past the data area"));
}

TEST(MdMapTest, ErrorsAndUnsupportedLevels) {
  MdGeometry g = Md0();
  EXPECT_EQ(MapMemberToMd(g, "sdz", {0, 512}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MapMemberToMd(g, "sdb1", {0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  g.level = MdLevel::kUnsupported;
  g.level_text = "linear";
  EXPECT_THAT(MapMemberToMd(g, "sdb1", {0, 512}).status().message(),
              HasSubstr("md level 'linear' not translated"));
  MdGeometry r5 = Md1();
  r5.layout = 7;
  EXPECT_EQ(MapMemberToMd(r5, "sdd", {kMd1Offset, 512}).status().code(),
            absl::StatusCode::kUnimplemented);
  r5 = Md1();
  EXPECT_EQ(
      MapMemberToMd(r5, "sdd", {kMd1Offset, uint64_t{1} << 40}).status().code(),
      absl::StatusCode::kOk);  // clipped to the 2 GiB member first
}

}  // namespace
}  // namespace mfr::controller::resolve
