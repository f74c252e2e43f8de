// Table tests for the loop layer over a block device, with the window of
// agent/topology/testdata/real_loop_vda.tree (loop/offset 1048576,
// loop/sizelimit 33554432; loop attributes are bytes).
#include "controller/resolve/loop_map.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

TEST(LoopMapTest, BacksOnDeviceMatchesDevAndMapperPaths) {
  EXPECT_TRUE(BacksOnDevice("/dev/sdb", "sdb", ""));
  EXPECT_TRUE(BacksOnDevice("/dev/mapper/vg0-data", "dm-0", "vg0-data"));
  EXPECT_FALSE(BacksOnDevice("/dev/sdb1", "sdb", ""));
  EXPECT_FALSE(BacksOnDevice("/tmp/topo_rec/backing.img", "vda", ""));
  EXPECT_FALSE(BacksOnDevice("/dev/mapper/", "dm-0", ""));
}

TEST(LoopMapTest, MapsTheWindow) {
  const LoopWindow loop{"loop0", "/dev/vda", 1048576, 33554432};
  struct Case {
    const char* name;
    ByteSpan range;
    bool hit;
    ByteSpan lower, upper;
  };
  const Case kCases[] = {
      {"before the window", {0, 4096}, false, {}, {}},
      // 1048576 + 512 - 1048576 = 512.
      {"inside", {1049088, 4096}, true, {1049088, 4096}, {512, 4096}},
      // Window end 1048576 + 33554432 = 34603008.
      {"clipped at the end",
       {34603008 - 512, 4096},
       true,
       {34603008 - 512, 512},
       {33554432 - 512, 512}},
      {"past the window", {34603008, 512}, false, {}, {}},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<LayerMapping> got = MapBackingDeviceToLoop(loop, c.range);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    ASSERT_EQ(got->up.size(), c.hit ? 1u : 0u) << c.name;
    if (!c.hit) continue;
    EXPECT_EQ(got->up[0].device, "loop0");
    EXPECT_EQ(got->up[0].lower, c.lower) << c.name;
    EXPECT_EQ(got->up[0].upper, c.upper) << c.name;
    EXPECT_EQ(got->up[0].note, "loop over /dev/vda, offset 1048576");
  }
}

TEST(LoopMapTest, IdentityWithoutOffsetOrLimit) {
  const LoopWindow loop{"loop1", "/dev/sdc", 0, 0};
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  absl::StatusOr<LayerMapping> got =
      MapBackingDeviceToLoop(loop, {max - 4096, 4096});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->up.size(), 1u);
  EXPECT_EQ(got->up[0].upper, (ByteSpan{max - 4096, 4096}));
}

TEST(LoopMapTest, RejectsBadInputs) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_FALSE(
      MapBackingDeviceToLoop({"loop0", "/dev/sdb", 0, 0}, {0, 0}).ok());
  EXPECT_FALSE(
      MapBackingDeviceToLoop({"loop0", "/dev/sdb", max - 1, 10}, {0, 1}).ok());
}

}  // namespace
}  // namespace mfr::controller::resolve
