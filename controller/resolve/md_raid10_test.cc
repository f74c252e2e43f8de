// Tests for raid10 placement (drivers/md/raid10.c __raid10_find_phys and
// raid10_find_virt): hand-computed near/far/offset tables and a round trip
// over many geometries.
#include "controller/resolve/md_raid10.h"

#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kChunk = 65536;

// An array of `disks` legs md0..; `array_chunks` chunks of data.
MdGeometry Geometry(uint32_t layout, uint32_t disks, uint64_t array_chunks) {
  MdGeometry g;
  g.name = "md10";
  g.level_text = "raid10";
  g.level = MdLevel::kRaid10;
  g.chunk_bytes = kChunk;
  g.raid_disks = disks;
  g.layout = layout;
  g.array_bytes = array_chunks * kChunk;
  for (uint32_t i = 0; i < disks; ++i) {
    g.legs.push_back({"sd" + std::string(1, 'a' + i), static_cast<int32_t>(i),
                      1048576, true, "in_sync", 0});
  }
  return g;
}

Raid10Layout MustLayout(const MdGeometry& g) {
  absl::StatusOr<Raid10Layout> l = MakeRaid10Layout(g);
  EXPECT_TRUE(l.ok()) << l.status();
  return l.value_or(Raid10Layout{});
}

TEST(MdRaid10Test, DerivesSizesLikeCalcSectors) {
  // f2 over 3 disks, 12 array chunks: rows = ceil(12 * 2 / 3) = 8,
  // stride = 8 / 2 = 4.
  Raid10Layout l = MustLayout(Geometry(0x201, 3, 12));
  EXPECT_EQ(l.member_chunks, 8u);
  EXPECT_EQ(l.stride, 4u);
  EXPECT_EQ(l.far_set_size, 3);
  // n2 over 3 disks, 7 chunks: rows = ceil(14 / 3) = 5; offset layout
  // stride is one row.
  l = MustLayout(Geometry(0x102, 3, 7));
  EXPECT_EQ(l.member_chunks, 5u);
  l = MustLayout(Geometry(0x10201, 3, 6));
  EXPECT_EQ(l.stride, 1u);
  // Far sets (layout >> 17 == 2): set size far * near = 2.
  EXPECT_EQ(MustLayout(Geometry((2u << 17) | 0x201, 4, 8)).far_set_size, 2);
}

TEST(MdRaid10Test, MapsHandComputedLayouts) {
  // near 2 over 4 disks: array chunk v on slots 2v % 4 and 2v % 4 + 1, row
  //   v / 2:  row 0: v0 v0 v1 v1;  row 1: v2 v2 v3 v3.
  // near 2 over 3 disks: row 0: v0 v0 v1; row 1: v1 v2 v2; row 2: v3 v3 v4.
  // far 2 over 2 disks, 8 chunks (stride 4): rows 0-3 raid0 (v on slot
  //   v % 2, row v / 2), rows 4-7 the same shifted one slot: slot 1 row 4
  //   holds v0, slot 0 row 4 holds v1.
  // offset 2 over 3 disks: row 2i raid0 of v = 3i..3i+2, row 2i+1 the same
  //   shifted one slot: slot 0 row 1 holds v2, slot 1 row 1 holds v0.
  struct Case {
    const char* name;
    uint32_t layout, disks;
    uint64_t chunks;
    int32_t slot;
    uint64_t row;
    uint64_t want;
  };
  const Case kCases[] = {
      {"n2x4", 0x102, 4, 8, 2, 0, 1},   {"n2x4", 0x102, 4, 8, 3, 0, 1},
      {"n2x4", 0x102, 4, 8, 0, 1, 2},   {"n2x4", 0x102, 4, 8, 3, 3, 7},
      {"n2x3", 0x102, 3, 6, 2, 0, 1},   {"n2x3", 0x102, 3, 6, 0, 1, 1},
      {"n2x3", 0x102, 3, 6, 1, 1, 2},   {"n2x3", 0x102, 3, 6, 2, 2, 4},
      {"f2x2", 0x201, 2, 8, 0, 0, 0},   {"f2x2", 0x201, 2, 8, 1, 3, 7},
      {"f2x2", 0x201, 2, 8, 1, 4, 0},   {"f2x2", 0x201, 2, 8, 0, 4, 1},
      {"o2x3", 0x10201, 3, 6, 0, 1, 2}, {"o2x3", 0x10201, 3, 6, 1, 1, 0},
      {"o2x3", 0x10201, 3, 6, 2, 2, 5},
  };
  for (const Case& c : kCases) {
    const Raid10Layout l = MustLayout(Geometry(c.layout, c.disks, c.chunks));
    EXPECT_EQ(Raid10ArrayChunk(l, c.slot, c.row), c.want)
        << c.name << " slot " << c.slot << " row " << c.row;
  }
}

TEST(MdRaid10Test, NoArrayDataPastTheCopiesOrInTheTail) {
  // n2 over 3 disks, 5 chunks: 10 copies fill row 0..2 except slot 1 and 2
  // of row 3... rows = ceil(10 / 3) = 4; row 3 slot 1 would be v5 (>= 5).
  const Raid10Layout l = MustLayout(Geometry(0x102, 3, 5));
  EXPECT_EQ(Raid10ArrayChunk(l, 0, 3), 4u);  // (9 + 0) / 2
  EXPECT_EQ(Raid10ArrayChunk(l, 1, 3), std::nullopt);
  EXPECT_EQ(Raid10ArrayChunk(l, 0, 4), std::nullopt);
  EXPECT_EQ(Raid10ArrayChunk(l, 5, 0), std::nullopt);
}

TEST(MdRaid10Test, FindVirtInvertsFindPhysForEveryLayout) {
  const uint32_t kLayouts[] = {
      0x102,
      0x103,
      0x201,
      0x301,
      0x202,
      0x10201,
      0x10301,
      (2u << 17) | 0x201,
      (2u << 17) | 0x10201,
      (1u << 17) | 0x201,
  };
  for (uint32_t layout : kLayouts) {
    const uint32_t near = layout & 0xff, far = (layout >> 8) & 0xff;
    for (uint32_t disks = near * far; disks <= 7; ++disks) {
      // The buggy far-set layout (1) really does put copies on one disk
      // when disks / far < far (md warns "does not provide data safety").
      const bool buggy = (layout >> 17) == 1 && disks / far < far;
      for (uint64_t rows = 5; rows <= 9; ++rows) {
        // The array size md reports for members of `rows` chunks
        // (calc_sectors, then raid10_size): floor(floor(rows / far) *
        // disks / near).
        const uint64_t chunks = rows / far * disks / near;
        const Raid10Layout l = MustLayout(Geometry(layout, disks, chunks));
        for (uint64_t v = 0; v < chunks; ++v) {
          std::vector<Raid10Copy> all = Raid10Copies(l, v);
          ASSERT_EQ(all.size(), near * far);
          std::set<int32_t> slots;
          for (const Raid10Copy& c : all) {
            slots.insert(c.slot);
            EXPECT_EQ(Raid10ArrayChunk(l, c.slot, c.row), v)
                << std::hex << "layout 0x" << layout << std::dec << " disks "
                << disks << " rows " << rows << " v " << v << " slot " << c.slot
                << " row " << c.row;
          }
          if (!buggy) {
            EXPECT_EQ(slots.size(), all.size()) << "shared disk";
          }
        }
      }
    }
  }
}

TEST(MdRaid10Test, VerdictCountsOtherInSyncCopies) {
  MdGeometry g = Geometry(0x102, 4, 8);
  g.legs[1].in_sync = false;  // slot 1 failed: v0, v2, ... lost a copy
  const Raid10Layout l = MustLayout(g);
  absl::StatusOr<ChunkTarget> t = MapRaid10Chunk(g, l, g.legs[0], 0);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->data);
  EXPECT_FALSE(t->repairable);
  EXPECT_THAT(t->note, HasSubstr("loss, 0 other in_sync copies"));
  t = MapRaid10Chunk(g, l, g.legs[2], 1);  // v3 on slots 2, 3
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->repairable);
  EXPECT_EQ(t->upper_start, 3 * kChunk);
  t = MapRaid10Chunk(g, l, g.legs[0], 9);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->data);
}

TEST(MdRaid10Test, RejectsLayoutsMdWouldRefuse) {
  EXPECT_FALSE(MakeRaid10Layout(Geometry(0x103, 2, 8)).ok());  // 3 > 2
  EXPECT_FALSE(MakeRaid10Layout(Geometry(0x100, 2, 8)).ok());  // near 0
  EXPECT_FALSE(MakeRaid10Layout(Geometry((3u << 17) | 0x102, 4, 8)).ok());
  MdGeometry g = Geometry(0x102, 4, 8);
  g.chunk_bytes = 3 * 512;
  EXPECT_FALSE(MakeRaid10Layout(g).ok());
  g = Geometry(0x201, 4, 8);
  g.array_bytes = 0;  // and no member sizes
  EXPECT_EQ(MakeRaid10Layout(g).status().code(),
            absl::StatusCode::kUnimplemented);
  // From member sizes: 8 chunks of data per member (after the 1 MiB
  // offset), far 2 over 4: floor(8 / 2) * 4 / 1 = 16 array chunks.
  for (MdLeg& leg : g.legs) leg.device_size_bytes = 1048576 + 8 * kChunk;
  absl::StatusOr<Raid10Layout> l = MakeRaid10Layout(g);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->array_chunks, 16u);
}

}  // namespace
}  // namespace mfr::controller::resolve
