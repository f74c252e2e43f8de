// Tests for the shared layer helpers: coalescing appenders and the chunk
// walker.
#include "controller/resolve/layer_mapping.h"

#include <cstdint>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using ::testing::ElementsAre;

TEST(LayerMappingTest, AppendUpMergesOnlyWhenBothSidesContinue) {
  LayerMapping m;
  AppendUp({"md0", {0, 10}, {100, 10}, "n", false}, &m);
  AppendUp({"md0", {10, 5}, {110, 5}, "n", false}, &m);  // merges
  AppendUp({"md0", {15, 5}, {200, 5}, "n", false}, &m);  // upper jumps
  AppendUp({"md0", {20, 5}, {205, 5}, "x", false}, &m);  // note differs
  AppendUp({"md0", {25, 5}, {210, 5}, "x", true}, &m);   // verdict differs
  ASSERT_EQ(m.up.size(), 4u);
  EXPECT_EQ(m.up[0].lower, (ByteSpan{0, 15}));
  EXPECT_EQ(m.up[0].upper, (ByteSpan{100, 15}));
}

TEST(LayerMappingTest, AppendStopMergesContiguousSameReason) {
  LayerMapping m;
  AppendStop({{0, 10}, "parity", true}, &m);
  AppendStop({{10, 10}, "parity", true}, &m);
  AppendStop({{30, 10}, "parity", true}, &m);  // gap
  ASSERT_EQ(m.stop.size(), 2u);
  EXPECT_EQ(m.stop[0].lower, (ByteSpan{0, 20}));
}

TEST(LayerMappingTest, WalkChunksSplitsAtChunkBoundaries) {
  // Chunk 100 bytes; area starts at lower 1000; chunk i lands at upper
  // 5000 - 100 * i (reversed, so nothing coalesces). Range [150, 380):
  //   chunk 1 [150,200) -> lower 1150, upper 4900 + 50 = 4950
  //   chunk 2 [200,300) -> lower 1200, upper 4800
  //   chunk 3 [300,380) -> lower 1300, upper 4700
  LayerMapping m;
  auto map = [](uint64_t i) -> absl::StatusOr<ChunkTarget> {
    return ChunkTarget{true, 5000 - 100 * i, "n", "", false};
  };
  ASSERT_TRUE(WalkChunks({150, 230}, 1000, 100, "up", map, &m).ok());
  ASSERT_EQ(m.up.size(), 3u);
  EXPECT_EQ(m.up[0].lower, (ByteSpan{1150, 50}));
  EXPECT_EQ(m.up[0].upper, (ByteSpan{4950, 50}));
  EXPECT_EQ(m.up[1].lower, (ByteSpan{1200, 100}));
  EXPECT_EQ(m.up[1].upper, (ByteSpan{4800, 100}));
  EXPECT_EQ(m.up[2].lower, (ByteSpan{1300, 80}));
  EXPECT_EQ(m.up[2].upper, (ByteSpan{4700, 80}));
}

TEST(LayerMappingTest, WalkChunksCoalescesAndStops) {
  // Even chunks are identity data, odd chunks stop: [0,400) gives
  // up [0,100), stop [100,200), up [200,300), stop [300,400).
  LayerMapping m;
  auto map = [](uint64_t i) -> absl::StatusOr<ChunkTarget> {
    if (i % 2 == 1) return ChunkTarget{false, 0, "", "odd", true};
    return ChunkTarget{true, i * 100, "even", "", false};
  };
  ASSERT_TRUE(WalkChunks({0, 400}, 0, 100, "up", map, &m).ok());
  EXPECT_EQ(m.up.size(), 2u);
  ASSERT_EQ(m.stop.size(), 2u);
  EXPECT_EQ(m.stop[1].lower, (ByteSpan{300, 100}));
  EXPECT_TRUE(m.stop[1].repairable);
  // Identity everywhere coalesces into one piece.
  LayerMapping one;
  auto identity = [](uint64_t i) -> absl::StatusOr<ChunkTarget> {
    return ChunkTarget{true, i * 100, "id", "", false};
  };
  ASSERT_TRUE(WalkChunks({50, 900}, 0, 100, "up", identity, &one).ok());
  ASSERT_EQ(one.up.size(), 1u);
  EXPECT_EQ(one.up[0].upper, (ByteSpan{50, 900}));
}

TEST(LayerMappingTest, WalkChunksRejectsBadInputs) {
  LayerMapping m;
  auto identity = [](uint64_t i) -> absl::StatusOr<ChunkTarget> {
    return ChunkTarget{true, i * 4096, "id", "", false};
  };
  EXPECT_EQ(WalkChunks({0, 10}, 0, 0, "up", identity, &m).code(),
            absl::StatusCode::kInvalidArgument);
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(WalkChunks({max - 10, 10}, 100, 4096, "up", identity, &m).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      WalkChunks({0, (kMaxChunkSteps + 1) * 4096}, 0, 4096, "up", identity, &m)
          .code(),
      absl::StatusCode::kResourceExhausted);
  auto huge = [](uint64_t) -> absl::StatusOr<ChunkTarget> {
    return ChunkTarget{true, std::numeric_limits<uint64_t>::max() - 5, "h", "",
                       false};
  };
  EXPECT_EQ(WalkChunks({0, 100}, 0, 4096, "up", huge, &m).code(),
            absl::StatusCode::kInvalidArgument);
  auto failing = [](uint64_t) -> absl::StatusOr<ChunkTarget> {
    return absl::UnimplementedError("nope");
  };
  EXPECT_EQ(WalkChunks({0, 100}, 0, 4096, "up", failing, &m).code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace mfr::controller::resolve
