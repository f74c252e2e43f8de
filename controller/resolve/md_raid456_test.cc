// Tests for raid4/5/6 placement (drivers/md/raid5.c raid5_compute_sector)
// and the member-chunk -> array mapping, on the md1 raid5 of
// agent/topology/testdata/stacked_md_dm.tree.
#include "controller/resolve/md_raid456.h"

#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using ::testing::HasSubstr;

// The member slot of each data chunk of `stripe`, plus P and Q.
std::vector<int32_t> Row(MdLevel level, uint32_t algorithm, uint32_t disks,
                         uint64_t stripe, StripePlacement* parity) {
  const uint32_t data = disks - (level == MdLevel::kRaid6 ? 2 : 1);
  std::vector<int32_t> row;
  for (uint32_t k = 0; k < data; ++k) {
    absl::StatusOr<StripePlacement> p =
        PlaceRaid456(level, algorithm, disks, stripe, k);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return row;
    row.push_back(p->data);
    *parity = *p;
  }
  return row;
}

TEST(MdRaid456Test, PlacesRaid5LayoutsLikeTheKernel) {
  // 4 disks; the data chunk numbers per disk for stripe 1 (chunks 3, 4, 5),
  // from raid5_compute_sector with stripe % 4 = 1:
  //   left-asymmetric  pd = 3 - 1 = 2, dd >= pd skips it: D3 D4 P D5
  //   right-asymmetric pd = 1:                            D3 P D4 D5
  //   left-symmetric   pd = 2, dd = (pd + 1 + k) % 4:     D4 D5 P D3
  //   right-symmetric  pd = 1, dd = (2 + k) % 4:          D5 P D3 D4
  //   parity-first     pd = 0, dd = k + 1:                P D3 D4 D5
  //   parity-last      pd = 3:                            D3 D4 D5 P
  struct Case {
    uint32_t algorithm;
    int32_t pd;
    std::vector<int32_t> slots;  // slot of data chunk k = 0, 1, 2
  };
  const Case kCases[] = {
      {0, 2, {0, 1, 3}}, {1, 1, {0, 2, 3}}, {2, 2, {3, 0, 1}},
      {3, 1, {2, 3, 0}}, {4, 0, {1, 2, 3}}, {5, 3, {0, 1, 2}},
  };
  for (const Case& c : kCases) {
    StripePlacement parity;
    EXPECT_EQ(Row(MdLevel::kRaid5, c.algorithm, 4, 1, &parity), c.slots)
        << "algorithm " << c.algorithm;
    EXPECT_EQ(parity.pd, c.pd) << "algorithm " << c.algorithm;
    EXPECT_EQ(parity.qd, -1);
  }
  // raid4: parity always on the last disk.
  StripePlacement parity;
  EXPECT_EQ(Row(MdLevel::kRaid4, 2, 4, 7, &parity),
            (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(parity.pd, 3);
}

TEST(MdRaid456Test, PlacesRaid6LayoutsLikeTheKernel) {
  // 5 disks, stripe 0 and 1 (r = stripe % 5):
  //   left-symmetric  pd = 4 - r, qd = pd + 1 mod 5, dd = (pd + 2 + k) % 5
  //     s0: pd 4, qd 0, data 1 2 3;  s1: pd 3, qd 4, data 0 1 2
  //   left-asymmetric pd = 4 - r; pd == 4: qd 0, data k + 1; else
  //     qd = pd + 1 and dd >= pd skips 2: s1: pd 3, qd 4, data 0 1 2
  //   ddf-N-continue  pd = 4 - r, qd = pd - 1 mod 5, dd = (pd + 1 + k) % 5
  //     s0: pd 4, qd 3, data 0 1 2
  //   left-symmetric-6 (raid5 over 4 disks, Q last): pd = 2 - (s % 4)...
  //     with 5 disks data_disks = 3, pd = 3 - (s % 4), dd = (pd+1+k) % 4
  //     s1: pd 2, data 3 0 1, qd 4
  struct Case {
    uint32_t algorithm;
    uint64_t stripe;
    int32_t pd, qd;
    std::vector<int32_t> slots;
  };
  const Case kCases[] = {
      {2, 0, 4, 0, {1, 2, 3}},  {2, 1, 3, 4, {0, 1, 2}},
      {0, 0, 4, 0, {1, 2, 3}},  {0, 1, 3, 4, {0, 1, 2}},
      {10, 0, 4, 3, {0, 1, 2}}, {18, 1, 2, 4, {3, 0, 1}},
      {5, 9, 3, 4, {0, 1, 2}},  {4, 9, 0, 1, {2, 3, 4}},
  };
  for (const Case& c : kCases) {
    StripePlacement p;
    EXPECT_EQ(Row(MdLevel::kRaid6, c.algorithm, 5, c.stripe, &p), c.slots)
        << "algorithm " << c.algorithm << " stripe " << c.stripe;
    EXPECT_EQ(p.pd, c.pd) << "algorithm " << c.algorithm;
    EXPECT_EQ(p.qd, c.qd) << "algorithm " << c.algorithm;
  }
}

TEST(MdRaid456Test, EveryLayoutIsAPermutationOfTheDisks) {
  const std::vector<uint32_t> kRaid5 = {0, 1, 2, 3, 4, 5};
  const std::vector<uint32_t> kRaid6 = {0, 1,  2,  3,  4,  5,  8,
                                        9, 10, 16, 17, 18, 19, 20};
  for (MdLevel level : {MdLevel::kRaid5, MdLevel::kRaid6}) {
    for (uint32_t algorithm : level == MdLevel::kRaid5 ? kRaid5 : kRaid6) {
      for (uint32_t disks = 4; disks <= 7; ++disks) {
        for (uint64_t stripe = 0; stripe < 3 * disks; ++stripe) {
          StripePlacement p;
          std::vector<int32_t> row = Row(level, algorithm, disks, stripe, &p);
          std::set<int32_t> slots(row.begin(), row.end());
          slots.insert(p.pd);
          if (level == MdLevel::kRaid6) slots.insert(p.qd);
          EXPECT_EQ(slots.size(), disks)
              << "algorithm " << algorithm << " disks " << disks;
          EXPECT_GE(*slots.begin(), 0);
          EXPECT_LT(*slots.rbegin(), static_cast<int32_t>(disks));
        }
      }
    }
  }
}

TEST(MdRaid456Test, RejectsUnsupportedLayoutsAndShapes) {
  EXPECT_EQ(PlaceRaid456(MdLevel::kRaid5, 7, 4, 0, 0).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(PlaceRaid456(MdLevel::kRaid6, 6, 5, 0, 0).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(PlaceRaid456(MdLevel::kRaid6, 2, 3, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlaceRaid456(MdLevel::kRaid5, 2, 3, 0, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
}

MdGeometry Md1() {
  MdGeometry g;
  g.name = "md1";
  g.level_text = "raid5";
  g.level = MdLevel::kRaid5;
  g.chunk_bytes = 524288;
  g.raid_disks = 3;
  g.layout = 2;
  g.array_bytes = 4024434688;
  g.legs = {{"sdd", 0, 135266304, true, "in_sync", 0},
            {"sde", 1, 135266304, true, "in_sync", 0},
            {"sdf", 2, 135266304, true, "in_sync", 0}};
  return g;
}

TEST(MdRaid456Test, MapsMd1ChunksToArrayChunks) {
  // Left-symmetric over 3 disks: pd = 2 - s % 3, data k on (pd + 1 + k) % 3.
  //   stripe 0: sdd D0, sde D1, sdf P
  //   stripe 1: sdd D3, sde P,  sdf D2
  //   stripe 2: sdd P,  sde D4, sdf D5
  // Array chunk n starts at n * 524288.
  const MdGeometry g = Md1();
  struct Case {
    int slot;
    uint64_t stripe;
    bool data;
    uint64_t chunk;
  };
  const Case kCases[] = {
      {0, 0, true, 0},  {1, 0, true, 1},  {2, 0, false, 0},
      {0, 1, true, 3},  {1, 1, false, 0}, {2, 1, true, 2},
      {0, 2, false, 0}, {1, 2, true, 4},  {2, 2, true, 5},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<ChunkTarget> t =
        MapRaid456Chunk(g, g.legs[c.slot], c.stripe);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->data, c.data) << "slot " << c.slot << " stripe " << c.stripe;
    EXPECT_TRUE(t->repairable);
    if (c.data) {
      EXPECT_EQ(t->upper_start, c.chunk * 524288) << "slot " << c.slot;
      EXPECT_THAT(t->note, HasSubstr("repairable from parity"));
    } else {
      EXPECT_THAT(t->reason, HasSubstr("parity (P)"));
    }
  }
}

TEST(MdRaid456Test, DegradedArrayMakesDataLoss) {
  MdGeometry g = Md1();
  g.legs[1].in_sync = false;  // sde failed
  absl::StatusOr<ChunkTarget> t = MapRaid456Chunk(g, g.legs[0], 0);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->data);
  EXPECT_FALSE(t->repairable);
  EXPECT_THAT(t->note, HasSubstr("loss, 1 other leg(s) degraded"));
  // Parity of a degraded stripe: the missing leg depends on it.
  t = MapRaid456Chunk(g, g.legs[0], 2);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->data);
  EXPECT_FALSE(t->repairable);
  // raid6 tolerates one more.
  g.level = MdLevel::kRaid6;
  g.raid_disks = 4;
  g.legs.push_back({"sdg", 3, 135266304, true, "in_sync", 0});
  t = MapRaid456Chunk(g, g.legs[0], 1);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->repairable);
}

}  // namespace
}  // namespace mfr::controller::resolve
