// Tests for the sysfs attribute parsers: tables of real and broken values.
#include "agent/topology/sysfs_values.h"

#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

TEST(SysfsValuesTest, ParsesUnsignedNumbers) {
  struct Case {
    const char* text;
    uint64_t want;
  } kCases[] = {
      {"65536\n", 65536},  // loop0/size on this host
      {"0\n", 0},
      {"  512 \n", 512},
      {"18446744073709551615\n", UINT64_MAX},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<uint64_t> v = ParseSysfsUint(c.text);
    ASSERT_TRUE(v.ok()) << c.text << ": " << v.status();
    EXPECT_EQ(*v, c.want) << c.text;
  }
}

TEST(SysfsValuesTest, RejectsGarbageNumbers) {
  const char* kBad[] = {"",      "\n",    "-1\n",
                        "+5\n",  "12a\n", "0x10\n",
                        "1 2",   "1.5",   "18446744073709551616\n",
                        "none\n"};
  for (const char* text : kBad) {
    EXPECT_FALSE(ParseSysfsUint(text).ok()) << '"' << text << '"';
  }
  EXPECT_FALSE(ParseSysfsUint32("4294967296\n").ok());
  EXPECT_EQ(*ParseSysfsUint32("4294967295\n"), 4294967295u);
}

TEST(SysfsValuesTest, ParsesDevNumbers) {
  absl::StatusOr<mfr::v1::DeviceNumber> d = ParseDevNumber("254:0\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->major(), 254u);
  EXPECT_EQ(d->minor(), 0u);
  d = ParseDevNumber("259:1048575\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->minor(), 1048575u);
  for (const char* bad : {"254\n", "254:\n", ":0\n", "a:b\n", "1:2:3\n",
                          "-1:0\n", "4294967296:0\n"}) {
    EXPECT_FALSE(ParseDevNumber(bad).ok()) << bad;
  }
}

TEST(SysfsValuesTest, ConvertsSectorsToBytes) {
  EXPECT_EQ(*SectorsToBytes(2048), 1048576u);
  EXPECT_EQ(*SectorsToBytes(UINT64_MAX / 512), (UINT64_MAX / 512) * 512);
  EXPECT_EQ(SectorsToBytes(UINT64_MAX / 512 + 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(SysfsValuesTest, ParsesMdSlots) {
  EXPECT_EQ(*ParseMdSlot("0\n"), 0);
  EXPECT_EQ(*ParseMdSlot("3\n"), 3);
  EXPECT_EQ(*ParseMdSlot("none\n"), -1);
  EXPECT_FALSE(ParseMdSlot("-1\n").ok());
  EXPECT_FALSE(ParseMdSlot("2147483648\n").ok());
  EXPECT_FALSE(ParseMdSlot("spare\n").ok());
}

TEST(SysfsValuesTest, ParsesMdGeometryDuringReshape) {
  absl::StatusOr<MdGeometryValue> v = ParseMdGeometryValue("524288\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, 524288u);
  EXPECT_FALSE(v->reshaping);
  v = ParseMdGeometryValue("4 (3)\n");  // md.rst: "new (old)"
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, 4u);
  EXPECT_TRUE(v->reshaping);
  for (const char* bad : {"4 (x)\n", "4 3\n", "4 ()\n", "(3)\n", "\n"}) {
    EXPECT_FALSE(ParseMdGeometryValue(bad).ok()) << bad;
  }
}

TEST(SysfsValuesTest, FindsPartitionParentsByKernelNaming) {
  struct Case {
    const char* name;
    uint32_t number;
    const char* parent;
  } kCases[] = {
      {"sdb1", 1, "sdb"},          {"sdb12", 12, "sdb"},
      {"nvme0n1p2", 2, "nvme0n1"}, {"mmcblk0p1", 1, "mmcblk0"},
      {"md0p1", 1, "md0"},         {"loop0p3", 3, "loop0"},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<std::string> parent = PartitionParentName(c.name, c.number);
    ASSERT_TRUE(parent.ok()) << c.name << ": " << parent.status();
    EXPECT_EQ(*parent, c.parent);
  }
  EXPECT_FALSE(PartitionParentName("sdb11", 1).ok());     // that is sdb11
  EXPECT_FALSE(PartitionParentName("nvme0n12", 2).ok());  // no "p"
  EXPECT_FALSE(PartitionParentName("sdb1", 0).ok());
  EXPECT_FALSE(PartitionParentName("1", 1).ok());
}

}  // namespace
}  // namespace mfr::agent::topology
