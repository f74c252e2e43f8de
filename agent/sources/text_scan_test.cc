// Tests of the shared scanners: numbers at the 64-bit edge, device names.
#include "agent/sources/text_scan.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

TEST(ConsumeDecimal, ReadsDigitsAndStops) {
  absl::string_view s = "18446744073709551615,x";
  uint64_t v = 0;
  ASSERT_TRUE(ConsumeDecimal(&s, &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_EQ(s, ",x");
}

TEST(ConsumeDecimal, OverflowAndEmptyLeaveInputUntouched) {
  for (absl::string_view text : {"18446744073709551616", "", "x1", "-1"}) {
    absl::string_view s = text;
    uint64_t v = 7;
    EXPECT_FALSE(ConsumeDecimal(&s, &v)) << text;
    EXPECT_EQ(s, text);
    EXPECT_EQ(v, 7u);
  }
}

TEST(ConsumeHex, PrefixIsOptionalAndOverflowFails) {
  absl::string_view s = "0xFFffffffffffffff:";
  uint64_t v;
  ASSERT_TRUE(ConsumeHex(&s, &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_EQ(s, ":");
  s = "1234f000 MISC";
  ASSERT_TRUE(ConsumeHex(&s, &v));
  EXPECT_EQ(v, 0x1234f000u);
  s = "10000000000000000";
  EXPECT_FALSE(ConsumeHex(&s, &v));
  s = "0x";
  EXPECT_FALSE(ConsumeHex(&s, &v));
}

TEST(DeviceName, KernelNamesAreValid) {
  for (absl::string_view name :
       {"sdb", "sdb1", "nvme0n1p2", "md127", "dm-3", "loop0", "mmcblk0p1",
        "cciss!c0d0", "namespace0.0"}) {
    EXPECT_TRUE(IsValidDeviceName(name)) << name;
  }
}

TEST(DeviceName, PathsEmptyAndLongNamesAreNot) {
  const std::string too_long(33, 'a');
  for (absl::string_view name :
       {absl::string_view(""), absl::string_view("."), absl::string_view(".."),
        absl::string_view("a/b"), absl::string_view("sd b"),
        absl::string_view("sdb:"), absl::string_view(too_long)}) {
    EXPECT_FALSE(IsValidDeviceName(name)) << name;
  }
  absl::string_view s = "../etc, sector";
  absl::string_view name;
  EXPECT_FALSE(ConsumeDeviceName(&s, &name));
  s = "sdb, sector 5";
  ASSERT_TRUE(ConsumeDeviceName(&s, &name));
  EXPECT_EQ(name, "sdb");
  EXPECT_EQ(s, ", sector 5");
}

TEST(CheckedMath, DetectsOverflow) {
  uint64_t out;
  EXPECT_TRUE(CheckedMul(1ull << 54, 512, &out));
  EXPECT_FALSE(CheckedMul(1ull << 55, 512, &out));
  EXPECT_FALSE(CheckedAdd(UINT64_MAX, 1, &out));
  EXPECT_TRUE(IsValidRange(UINT64_MAX - 1, 1));
  EXPECT_FALSE(IsValidRange(UINT64_MAX, 1));
  EXPECT_FALSE(IsValidRange(5, 0));
}

TEST(SanitizeBlockSize, OnlyPowersOfTwoIn512To64K) {
  EXPECT_EQ(SanitizeBlockSize(512), 512u);
  EXPECT_EQ(SanitizeBlockSize(65536), 65536u);
  EXPECT_EQ(SanitizeBlockSize(0), 0u);
  EXPECT_EQ(SanitizeBlockSize(1000), 0u);
  EXPECT_EQ(SanitizeBlockSize(256), 0u);
  EXPECT_EQ(SanitizeBlockSize(1ull << 40), 0u);
}

TEST(FindText, FindsAndMisses) {
  EXPECT_EQ(FindText("a error, dev b", " error, dev "), 1u);
  EXPECT_EQ(FindText("abc", "abcd"), absl::string_view::npos);
  absl::string_view s = "x: block 12: y";
  ASSERT_TRUE(SkipPast(&s, ": block "));
  EXPECT_EQ(s, "12: y");
  EXPECT_EQ(TrimTrailing("msg \r\n\t"), "msg");
}

}  // namespace
}  // namespace mfr::agent::sources
