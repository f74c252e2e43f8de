// Table tests for the dm layer: linear (the vg0-data table of
// agent/topology/testdata/dmsetup_table.txt, and an LVM layout with two
// segments on one PV) and striped (Documentation/admin-guide/device-mapper/
// striped.rst). Table numbers are 512-byte sectors; results are bytes.
#include "controller/resolve/dm_map.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using ::testing::HasSubstr;

// Builds a table from `dmsetup table` lines ("<start> <len> <type> <args>").
mfr::v1::DmTable Table(const std::string& name,
                       const std::vector<std::string>& lines) {
  mfr::v1::DmTable table;
  table.set_dm_name(name);
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 3));
    uint64_t start = 0, length = 0;
    EXPECT_TRUE(absl::SimpleAtoi(f[0], &start) &&
                absl::SimpleAtoi(f[1], &length));
    mfr::v1::DmTarget* t = table.add_targets();
    t->set_start_bytes(start * 512);
    t->set_length_bytes(length * 512);
    t->set_type(f[2]);
    t->set_args(f.size() > 3 ? f[3] : "");
  }
  return table;
}

const DmDeviceRef kSdb2{"sdb2", true, 8, 18, ""};
const DmDeviceRef kSdb{"sdb", true, 8, 16, ""};
const DmDeviceRef kSdc{"sdc", true, 8, 32, ""};

struct Want {
  ByteSpan lower;
  ByteSpan upper;
};

void ExpectUp(const absl::StatusOr<LayerMapping>& got,
              const std::vector<Want>& want, const std::string& name) {
  ASSERT_TRUE(got.ok()) << name << ": " << got.status();
  ASSERT_EQ(got->up.size(), want.size()) << name;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got->up[i].lower, want[i].lower) << name << " piece " << i;
    EXPECT_EQ(got->up[i].upper, want[i].upper) << name << " piece " << i;
    EXPECT_EQ(got->up[i].device, "dm-0");
    EXPECT_FALSE(got->up[i].repairable);
  }
  EXPECT_TRUE(got->stop.empty()) << name;
}

TEST(DmMapTest, TokensNameDevicesEveryWay) {
  const DmDeviceRef lv{"dm-3", true, 253, 3, "vg0-pv"};
  EXPECT_TRUE(DmTokenNames("8:18", kSdb2));
  EXPECT_TRUE(DmTokenNames("/dev/sdb2", kSdb2));
  EXPECT_TRUE(DmTokenNames("sdb2", kSdb2));
  EXPECT_TRUE(DmTokenNames("/dev/mapper/vg0-pv", lv));
  EXPECT_FALSE(DmTokenNames("8:1", kSdb2));
  EXPECT_FALSE(DmTokenNames("/dev/sdb", kSdb2));
  EXPECT_FALSE(DmTokenNames("8:18", DmDeviceRef{"sdb2", false, 0, 0, ""}));
}

TEST(DmMapTest, LinearTables) {
  // vg0-data: "0 10483712 linear 8:18 0": identity over sdb2.
  const mfr::v1::DmTable vg0 = Table("vg0-data", {"0 10483712 linear 8:18 0"});
  // LVM with two segments on sdb2 (PV data starts at 2048 s = 1048576):
  //   dm [0, 2097152 s) on sdb2 at 2048 s: dm = sdb2 - 1048576;
  //   dm [3145728 s, +1048576 s) on sdb2 at 4196352 s (2148532224 bytes):
  //   dm = 1610612736 + (sdb2 - 2148532224).
  const mfr::v1::DmTable lvm =
      Table("vg1-lv", {"0 2097152 linear 8:18 2048",
                       "2097152 1048576 linear /dev/sdc 2048",
                       "3145728 1048576 linear /dev/sdb2 4196352"});
  struct Case {
    const char* name;
    const mfr::v1::DmTable* table;
    ByteSpan range;
    std::vector<Want> want;
  };
  const Case kCases[] = {
      {"vg0 identity", &vg0, {4096, 4096}, {{{4096, 4096}, {4096, 4096}}}},
      {"lvm: PV header unused", &lvm, {0, 4096}, {}},
      // [1048064, 1049088): the first 512 are before the segment.
      {"lvm: straddles segment start",
       &lvm,
       {1048064, 1024},
       {{{1048576, 512}, {0, 512}}}},
      // Segment 0 covers sdb2 [1048576, 1074790400); the gap up to
      // 2148532224 is unallocated.
      {"lvm: unallocated extents", &lvm, {1074790400, 4096}, {}},
      {"lvm: second segment",
       &lvm,
       {2148532224 + 8192, 4096},
       {{{2148532224 + 8192, 4096}, {1610612736 + 8192, 4096}}}},
  };
  for (const Case& c : kCases) {
    ExpectUp(MapLowerToDm("dm-0", *c.table, kSdb2, true, c.range), c.want,
             c.name);
  }
  absl::StatusOr<LayerMapping> note =
      MapLowerToDm("dm-0", lvm, kSdb2, true, {2148532224, 512});
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->up[0].note,
            "linear target 2 at 1610612736, lower offset 2148532224");
}

TEST(DmMapTest, StripedTarget) {
  // "2048 4096 striped 2 128 8:16 0 8:32 2048" after a 2048-sector linear
  // target: T = 2048 s = 1048576; L = 4096 s = 2097152; chunk c = 128 s =
  // 65536; each stripe holds L / 2 = 1048576 bytes. Stripe 0 is sdb at 0,
  // stripe 1 is sdc at 2048 s = 1048576. Member chunk row r of stripe k is
  // target chunk 2r + k, at dm byte T + (2r + k) * c.
  const mfr::v1::DmTable t = Table(
      "striped",
      {"0 2048 linear 8:48 0", "2048 4096 striped 2 128 8:16 0 8:32 2048"});
  struct Case {
    const char* name;
    DmDeviceRef lower;
    ByteSpan range;
    std::vector<Want> want;
  };
  const Case kCases[] = {
      // sdb [0, 131072): row 0 -> chunk 0 at 1048576; row 1 -> chunk 2 at
      // 1048576 + 131072 = 1179648.
      {"stripe 0, two rows",
       kSdb,
       {0, 131072},
       {{{0, 65536}, {1048576, 65536}}, {{65536, 65536}, {1179648, 65536}}}},
      // sdc rel [65636, 131172): row 1 from byte 100 -> chunk 3:
      // 1048576 + 3 * 65536 + 100 = 1245284 (65436 bytes); row 2 -> chunk
      // 5: 1048576 + 327680 = 1376256 (100 bytes).
      {"stripe 1, across a chunk boundary",
       kSdc,
       {1048576 + 65636, 65536},
       {{{1114212, 65436}, {1245284, 65436}},
        {{1179648, 100}, {1376256, 100}}}},
      // sdc before its stripe offset: unused.
      {"stripe 1 before its offset", kSdc, {0, 4096}, {}},
      // sdb past its 1048576-byte share.
      {"stripe 0 past its share", kSdb, {1048576, 4096}, {}},
  };
  for (const Case& c : kCases) {
    ExpectUp(MapLowerToDm("dm-0", t, c.lower, true, c.range), c.want, c.name);
  }
}

TEST(DmMapTest, UnsupportedTargetsAndUnknownTablesStop) {
  const mfr::v1::DmTable crypt =
      Table("luks", {"0 1000 linear 8:18 0",
                     "1000 2000 crypt aes-xts-plain64 0 0 8:18 4096"});
  absl::StatusOr<LayerMapping> got =
      MapLowerToDm("dm-0", crypt, kSdb2, true, {0, 1024000});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->up.size(), 1u);
  EXPECT_EQ(got->up[0].lower, (ByteSpan{0, 512000}));
  ASSERT_EQ(got->stop.size(), 1u);
  EXPECT_EQ(got->stop[0].lower, (ByteSpan{512000, 512000}));
  EXPECT_THAT(got->stop[0].reason, HasSubstr("unsupported dm target crypt"));

  const mfr::v1::DmTable unknown = Table("vg0-data", {});
  got = MapLowerToDm("dm-0", unknown, kSdb2, true, {0, 4096});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->stop.size(), 1u);
  EXPECT_THAT(got->stop[0].reason, HasSubstr("dm table unknown"));
  got = MapLowerToDm("dm-0", unknown, kSdb2, false, {0, 4096});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->stop.empty());

  // A target over another device does not concern sdb2.
  const mfr::v1::DmTable other = Table("thin", {"0 8 thin 253:4 1"});
  got = MapLowerToDm("dm-0", other, kSdb2, false, {0, 4096});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->up.empty() && got->stop.empty());
}

TEST(DmMapTest, RejectsMalformedTablesAndRanges) {
  const std::vector<std::string> kBad[] = {
      {"0 100 linear 8:18"},                    // no offset
      {"0 100 linear 8:18 x"},                  // bad offset
      {"0 100 linear 8:18 36028797018963968"},  // offset bytes overflow
      {"0 100 striped 2 128 8:18 0"},           // missing stripe
      {"0 100 striped 2 0 8:18 0 8:32 0"},      // chunk 0
      {"0 300 striped 2 128 8:18 0 8:32 0"},    // 150 not a chunk multiple
      {"0 256 striped 0 128"},                  // no stripes
  };
  for (const auto& lines : kBad) {
    EXPECT_EQ(MapLowerToDm("dm-0", Table("bad", lines), kSdb2, true, {0, 512})
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument)
        << lines[0];
  }
  const mfr::v1::DmTable ok = Table("vg0-data", {"0 10483712 linear 8:18 0"});
  EXPECT_FALSE(MapLowerToDm("dm-0", ok, kSdb2, true, {0, 0}).ok());
}

}  // namespace
}  // namespace mfr::controller::resolve
