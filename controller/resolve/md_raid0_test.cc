// Tests for raid0 zones and chunk placement (drivers/md/raid0.c
// create_strip_zones and map_sector), equal and unequal members, original
// and alternate multi-zone layouts.
#include "controller/resolve/md_raid0.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kChunk = 65536;
constexpr uint64_t kOffset = 1048576;

// raid0 over members with `rows` chunks of data each (device size =
// data offset + rows * chunk); array size = sum of rows.
MdGeometry Geometry(const std::vector<uint64_t>& rows, uint32_t layout) {
  MdGeometry g;
  g.name = "md0";
  g.level_text = "raid0";
  g.level = MdLevel::kRaid0;
  g.chunk_bytes = kChunk;
  g.raid_disks = rows.size();
  g.layout = layout;
  for (size_t i = 0; i < rows.size(); ++i) {
    g.legs.push_back({"sd" + std::string(1, 'a' + i), static_cast<int32_t>(i),
                      kOffset, true, "in_sync", kOffset + rows[i] * kChunk});
    g.array_bytes += rows[i] * kChunk;
  }
  return g;
}

// The array chunk that chunk `row` of `slot` holds, or -1 for a stop.
int64_t ArrayChunk(const MdGeometry& g, int32_t slot, uint64_t row) {
  absl::StatusOr<Raid0Layout> l = MakeRaid0Layout(g);
  EXPECT_TRUE(l.ok()) << l.status();
  if (!l.ok()) return -2;
  absl::StatusOr<ChunkTarget> t = MapRaid0Chunk(g, *l, g.legs[slot], row);
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok() || !t->data) return -1;
  EXPECT_FALSE(t->repairable);
  EXPECT_EQ(t->upper_start % kChunk, 0u);
  return t->upper_start / kChunk;
}

TEST(MdRaid0Test, BuildsZonesLikeCreateStripZones) {
  // Rows 1, 3, 3: zone 0 = 1 row over slots 0,1,2 (array chunks 0-2);
  // zone 1 = rows 1-2 of slots 1,2 (array chunks 3-6).
  absl::StatusOr<Raid0Layout> l = MakeRaid0Layout(Geometry({1, 3, 3}, 1));
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_EQ(l->zones.size(), 2u);
  EXPECT_EQ(l->zones[1].array_start, 3u);
  EXPECT_EQ(l->zones[1].member_start, 1u);
  EXPECT_EQ(l->zones[1].rows, 2u);
  EXPECT_EQ(l->zones[1].slots, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(Raid0MemberRows(*l, 0), 1u);
  EXPECT_EQ(Raid0MemberRows(*l, 2), 3u);
}

TEST(MdRaid0Test, PlacesChunks) {
  // Equal members, 2 disks: chunk K on slot K % 2, row K / 2.
  // Rows 1, 3, 3 (zones above). Zone 1 starts at array chunk 3 (odd):
  //   original layout: K on zone member K % 2 (K from the array start):
  //     K=3 -> member 1 (slot 2) row 1, K=4 -> member 0 (slot 1) row 1;
  //   alternate layout: (K - 3) % 2: K=3 -> slot 1 row 1, K=4 -> slot 2.
  struct Case {
    const char* name;
    std::vector<uint64_t> rows;
    uint32_t layout;
    int32_t slot;
    uint64_t row;
    int64_t want;
  };
  const Case kCases[] = {
      {"equal", {4, 4}, 0, 0, 0, 0},
      {"equal", {4, 4}, 0, 1, 0, 1},
      {"equal", {4, 4}, 0, 1, 3, 7},
      {"equal", {4, 4}, 0, 0, 4, -1},
      {"orig zone 0", {1, 3, 3}, 1, 2, 0, 2},
      {"orig zone 1", {1, 3, 3}, 1, 2, 1, 3},
      {"orig zone 1", {1, 3, 3}, 1, 1, 1, 4},
      {"orig zone 1", {1, 3, 3}, 1, 2, 2, 5},
      {"orig past slot 0", {1, 3, 3}, 1, 0, 1, -1},
      {"alt zone 1", {1, 3, 3}, 2, 1, 1, 3},
      {"alt zone 1", {1, 3, 3}, 2, 2, 1, 4},
      {"one big", {2, 2, 6}, 1, 2, 5, 6 + 3},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ArrayChunk(Geometry(c.rows, c.layout), c.slot, c.row), c.want)
        << c.name << " slot " << c.slot << " row " << c.row;
  }
}

TEST(MdRaid0Test, FallsBackToOneZoneOrRefuses) {
  // Sizes unknown, array = 2 x 4 chunks: one zone of 4 rows.
  MdGeometry g = Geometry({4, 4}, 0);
  for (MdLeg& leg : g.legs) leg.device_size_bytes = 0;
  absl::StatusOr<Raid0Layout> l = MakeRaid0Layout(g);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->zones.size(), 1u);
  EXPECT_EQ(l->zones[0].rows, 4u);
  // Equal estimates that do not add up (a superblock at the end): trust
  // the array size.
  g = Geometry({4, 4}, 0);
  g.array_bytes = 2 * 3 * kChunk;
  l = MakeRaid0Layout(g);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->zones[0].rows, 3u);
  // Unequal estimates that do not add up: zones unknown.
  g = Geometry({2, 6}, 1);
  g.array_bytes -= kChunk;
  EXPECT_EQ(MakeRaid0Layout(g).status().code(),
            absl::StatusCode::kUnimplemented);
  // Multi-zone with layout unset: md itself refuses to guess.
  EXPECT_THAT(MakeRaid0Layout(Geometry({2, 6}, 0)).status().message(),
              HasSubstr("multi-zone"));
  // Nothing known at all.
  g = Geometry({4, 4}, 0);
  g.array_bytes = 0;
  for (MdLeg& leg : g.legs) leg.device_size_bytes = 0;
  EXPECT_FALSE(MakeRaid0Layout(g).ok());
}

}  // namespace
}  // namespace mfr::controller::resolve
