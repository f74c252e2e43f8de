// Tests for parsing md geometry: levels, layouts (sysfs numbers and mdadm
// names), member states; the md1 raid5 of
// agent/topology/testdata/stacked_md_dm.tree.
#include "controller/resolve/md_geometry.h"

#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

TEST(MdGeometryTest, ParsesLevels) {
  struct Case {
    const char* text;
    MdLevel want;
  };
  const Case kCases[] = {
      {"raid0", MdLevel::kRaid0},        {"raid1", MdLevel::kRaid1},
      {"raid4", MdLevel::kRaid4},        {"raid5", MdLevel::kRaid5},
      {"raid6", MdLevel::kRaid6},        {"raid10", MdLevel::kRaid10},
      {"10", MdLevel::kRaid10},          {" raid5\n", MdLevel::kRaid5},
      {"linear", MdLevel::kUnsupported}, {"multipath", MdLevel::kUnsupported},
      {"", MdLevel::kUnsupported},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ParseMdLevel(c.text), c.want) << c.text;
  }
}

TEST(MdGeometryTest, ParsesLayouts) {
  struct Case {
    MdLevel level;
    const char* text;
    uint32_t want;
  };
  const Case kCases[] = {
      {MdLevel::kRaid5, "2", 2},
      {MdLevel::kRaid5, "", 2},  // md's default: left-symmetric
      {MdLevel::kRaid5, "left-asymmetric", 0},
      {MdLevel::kRaid5, "RS", 3},
      {MdLevel::kRaid5, "parity-last", 5},
      {MdLevel::kRaid6, "ddf-N-continue", 10},
      {MdLevel::kRaid6, "left-symmetric-6", 18},
      // raid10: near = layout & 0xff, far = (layout >> 8) & 0xff, bit 16
      // offset: n2 = 0x102 = 258, f2 = 0x201 = 513, o2 = 0x10201 = 66049.
      {MdLevel::kRaid10, "258", 258},
      {MdLevel::kRaid10, "n2", 258},
      {MdLevel::kRaid10, "f2", 513},
      {MdLevel::kRaid10, "o2", 66049},
      {MdLevel::kRaid10, "n3", 259},
      {MdLevel::kRaid0, "original", 1},
      {MdLevel::kRaid0, "alternate", 2},
      {MdLevel::kRaid1, "", 0},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<uint32_t> got = ParseMdLayout(c.level, c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
  for (const char* bad : {"x2", "n0", "n256", "n", "f-1"}) {
    EXPECT_FALSE(ParseMdLayout(MdLevel::kRaid10, bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseMdLayout(MdLevel::kRaid10, "").ok());
  EXPECT_FALSE(ParseMdLayout(MdLevel::kRaid5, "sideways").ok());
}

mfr::v1::BlockDevice Md1() {
  // md1: raid5, chunk 524288, layout 2, 3 disks; offset 264192 s.
  mfr::v1::BlockDevice d;
  d.set_name("md1");
  d.set_size_bytes(4024434688);
  mfr::v1::MdArray* md = d.mutable_md();
  md->set_level("raid5");
  md->set_chunk_size_bytes(524288);
  md->set_layout("2");
  md->set_raid_disks(3);
  const struct {
    const char* dev;
    int slot;
    const char* state;
  } kLegs[] = {{"sdd", 0, "in_sync"},
               {"sde", 1, "in_sync,write_mostly"},
               {"sdf", 2, "faulty,in_sync"},
               {"sdg", -1, "spare"}};
  for (const auto& leg : kLegs) {
    mfr::v1::MdMember* m = md->add_members();
    m->set_device(leg.dev);
    m->set_slot(leg.slot);
    m->set_data_offset_bytes(135266304);
    m->set_state(leg.state);
  }
  return d;
}

TEST(MdGeometryTest, ParsesArrayAndLegStates) {
  absl::StatusOr<MdGeometry> g = ParseMdGeometry(Md1());
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->name, "md1");
  EXPECT_EQ(g->level, MdLevel::kRaid5);
  EXPECT_EQ(g->chunk_bytes, 524288u);
  EXPECT_EQ(g->layout, 2u);
  EXPECT_EQ(g->array_bytes, 4024434688u);
  ASSERT_EQ(g->legs.size(), 4u);
  EXPECT_TRUE(g->Leg("sde")->in_sync);   // write_mostly is still in sync
  EXPECT_FALSE(g->Leg("sdf")->in_sync);  // faulty wins
  EXPECT_FALSE(g->Leg("sdg")->in_sync);
  EXPECT_EQ(g->Leg("sdz"), nullptr);
  EXPECT_TRUE(g->SlotInSync(0));
  EXPECT_FALSE(g->SlotInSync(2));
  EXPECT_EQ(g->DegradedSlotsExcept(0), 1u);  // slot 2
  EXPECT_EQ(g->DegradedSlotsExcept(2), 0u);
}

TEST(MdGeometryTest, RejectsBadGeometry) {
  mfr::v1::BlockDevice d = Md1();
  d.mutable_md()->set_chunk_size_bytes(1000);
  EXPECT_FALSE(ParseMdGeometry(d).ok());
  d = Md1();
  d.mutable_md()->set_raid_disks(0);
  EXPECT_FALSE(ParseMdGeometry(d).ok());
  d = Md1();
  d.mutable_md()->set_layout("sideways");
  EXPECT_FALSE(ParseMdGeometry(d).ok());
  d = Md1();
  d.mutable_md()->set_level("linear");
  d.mutable_md()->set_raid_disks(0);
  absl::StatusOr<MdGeometry> linear = ParseMdGeometry(d);
  ASSERT_TRUE(linear.ok()) << linear.status();
  EXPECT_EQ(linear->level, MdLevel::kUnsupported);
}

}  // namespace
}  // namespace mfr::controller::resolve
