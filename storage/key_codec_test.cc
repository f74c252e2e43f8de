#include "storage/key_codec.h"

#include <cstdint>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace mfr::storage {
namespace {

TEST(KeyCodecTest, BigEndianLayout) {
  EXPECT_EQ(U64Key(0x0102030405060708ULL),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(ReadU64(U64Key(0xfedcba9876543210ULL)), 0xfedcba9876543210ULL);
}

TEST(KeyCodecTest, BytewiseOrderIsNumericOrder) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 10000; ++i) {
    uint64_t a = rng() >> (rng() % 64), b = rng() >> (rng() % 64);
    EXPECT_EQ(a < b, SegmentKey(1, 2, a) < SegmentKey(1, 2, b))
        << a << " " << b;
    EXPECT_EQ(a < b, SegmentKey(a, 0, 0) < SegmentKey(b, 0, 0));
  }
}

TEST(KeyCodecTest, TripleRoundTrip) {
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  auto t = DecodeU64Triple(SegmentKey(7, kMax, 0));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->a, 7u);
  EXPECT_EQ(t->b, kMax);
  EXPECT_EQ(t->c, 0u);
  EXPECT_FALSE(DecodeU64Triple("short").ok());
}

TEST(KeyCodecTest, FilesystemKeysOfOneHostShareAPrefix) {
  EXPECT_EQ(FilesystemKey("h", "uuid").rfind(LengthPrefixed("h"), 0), 0u);
  // The length prefix keeps host "ab" from matching host "a" + fs "b...".
  EXPECT_NE(FilesystemKey("ab", "x").rfind(LengthPrefixed("a"), 0), 0u);
  EXPECT_EQ(IncidentDeviceKey("h", "sdb", 7).rfind(LengthPrefixed("h"), 0), 0u);
  EXPECT_EQ(IncidentDeviceKey("h", "sdb", 7),
            IncidentDevicePrefix("h", "sdb") + U64Key(7));
  EXPECT_NE(IncidentDeviceKey("h", "sdb1", 7)
                .rfind(IncidentDevicePrefix("h", "sdb"), 0),
            0u);
}

TEST(KeyCodecTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixSuccessor(U64Key(1, 2)), U64Key(1, 3));
}

}  // namespace
}  // namespace mfr::storage
