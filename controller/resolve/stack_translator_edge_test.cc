// Stack tests for loop devices (agent/topology/testdata/real_loop_vda.tree),
// a 4Kn disk, topology problems that must not fail the call, and bad input.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "controller/resolve/stack_test_util.h"
#include "controller/resolve/stack_translator.h"
#include "controller/resolve/topology_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::resolve {
namespace {

using testing::ChainDevices;
using ::testing::ElementsAre;
using testing::ExpectWellFormed;
using ::testing::HasSubstr;
using testing::MustTranslate;
using testing::StepRange;

constexpr uint64_t kSdb2Start = 5369757696;  // stacked_md_dm.tree, 10487808 s
constexpr uint64_t kMd1Offset = 135266304;   // md1 data offset, 264192 s

TEST(StackTranslatorTest, FourKnDiskMathStaysInBytes) {
  // The kernel logs 512-byte sectors even on 4Kn: "sector 2064" on sdh is
  // byte 1056768; minus sdh1's start 1048576 = 8192 on /scratch.
  auto results = MustTranslate(testing::FourKn(), "sdh", 2064 * 512, 4096);
  ExpectWellFormed(results);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].mount.mount_point(), "/scratch");
  EXPECT_EQ(results[0].range, (ByteSpan{8192, 4096}));
  // A sub-block range is not widened: md and the fs decide block rounding.
  auto odd = MustTranslate(testing::FourKn(), "sdh1", 4096 + 100, 10);
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd[0].range, (ByteSpan{4196, 10}));
}

TEST(StackTranslatorTest, LoopOverFileIsItsOwnDevice) {
  const mfr::v1::Topology t = testing::LoopOverFile();
  auto loop = MustTranslate(t, "loop0", 4096, 4096);
  ExpectWellFormed(loop);
  ASSERT_EQ(loop.size(), 1u);
  EXPECT_EQ(loop[0].device, "loop0");
  EXPECT_EQ(loop[0].range, (ByteSpan{4096, 4096}));
  EXPECT_EQ(loop[0].mount.mount_point(), "/tmp/topo_rec/mnt");
  EXPECT_THAT(
      loop[0].mount_points,
      ElementsAre("/tmp/topo_rec/mnt", "/tmp/topo_rec/bindroot",
                  "/tmp/topo_rec/bindsub", "/tmp/topo_rec/bind with space"));
  EXPECT_THAT(loop[0].chain[0].note(),
              HasSubstr("loop over file /tmp/topo_rec/backing.img"));
  // The disk under the backing file resolves to its own filesystem only.
  auto vda = MustTranslate(t, "vda", 1 << 20, 4096);
  ASSERT_EQ(vda.size(), 1u);
  EXPECT_EQ(vda[0].mount.mount_point(), "/");
  EXPECT_THAT(ChainDevices(vda[0]), ElementsAre("vda", "/"));
}

TEST(StackTranslatorTest, LoopOverBlockDeviceAndUnusedDisk) {
  auto t = testing::ParseTopology(R"pb(
    devices {
      name: "sdc"
      dev { major: 8 minor: 32 }
      size_bytes: 1073741824
    }
    devices {
      name: "sdi"
      dev { major: 8 minor: 128 }
      size_bytes: 1073741824
    }
    devices {
      name: "loop1"
      dev { major: 7 minor: 1 }
      size_bytes: 536870912
      loop { backing_file: "/dev/sdc" offset_bytes: 1048576 }
    }
    mounts { mount_point: "/img" device: "loop1" fs_type: "ext4" root: "/" }
  )pb");
  ASSERT_TRUE(t.ok());
  // sdc 1049088 - loop offset 1048576 = loop1 512.
  auto results = MustTranslate(*t, "sdc", 1049088, 512);
  ExpectWellFormed(results);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(ChainDevices(results[0]), ElementsAre("sdc", "loop1", "/img"));
  EXPECT_EQ(results[0].range, (ByteSpan{512, 512}));
  EXPECT_EQ(results[0].chain[1].note(), "loop over /dev/sdc, offset 1048576");
  // Past the loop's 512 MiB window.
  auto past = MustTranslate(*t, "sdc", 1048576 + 536870912, 512);
  ASSERT_EQ(past.size(), 1u);
  EXPECT_THAT(past[0].reason, HasSubstr("sdc: not used by loop1"));
  auto unused = MustTranslate(*t, "sdi", 0, 512);
  ASSERT_EQ(unused.size(), 1u);
  EXPECT_THAT(unused[0].reason, HasSubstr("nothing uses sdi"));
}

TEST(StackTranslatorTest, TopologyProblemsBecomeUnmappedResults) {
  mfr::v1::Topology t = testing::StackedMdDm();
  for (mfr::v1::BlockDevice& d : *t.mutable_devices()) {
    if (d.name() == "md1") d.mutable_md()->set_layout("7");
  }
  auto results = MustTranslate(t, "sdd", kMd1Offset, 4096);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].mapped);
  EXPECT_THAT(results[0].reason,
              HasSubstr("cannot translate into md1: md1: raid5 layout"));
  // A cycle dm-5 <-> dm-6 stops instead of recursing forever.
  auto cycle = testing::ParseTopology(R"pb(
    devices {
      name: "dm-5"
      dev { major: 253 minor: 5 }
      size_bytes: 4096
      dm {
        targets {
          start_bytes: 0
          length_bytes: 4096
          type: "linear"
          args: "253:6 0"
        }
      }
    }
    devices {
      name: "dm-6"
      dev { major: 253 minor: 6 }
      size_bytes: 4096
      dm {
        targets {
          start_bytes: 0
          length_bytes: 4096
          type: "linear"
          args: "253:5 0"
        }
      }
    }
  )pb");
  ASSERT_TRUE(cycle.ok());
  auto looped = MustTranslate(*cycle, "dm-5", 0, 512);
  ASSERT_EQ(looped.size(), 1u);
  EXPECT_THAT(looped[0].reason, HasSubstr("cycle in the topology at dm-5"));
  EXPECT_THAT(ChainDevices(looped[0]), ElementsAre("dm-5", "dm-6", "dm-5"));
}

TEST(StackTranslatorTest, RejectsBadInput) {
  const StackTranslator translator(testing::StackedMdDm());
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(translator.Translate({"sdb", 4096, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(translator.Translate({"sdb", max - 10, 11}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(translator.Translate({"sdz", 0, 512}).status().code(),
            absl::StatusCode::kNotFound);
  // sdb is 10737418240 bytes.
  EXPECT_EQ(
      translator.Translate({"sdb", 10737418240 - 512, 1024}).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(translator.Translate({"sdb", 10737418240 - 512, 512}).ok());
  // Too many pieces for the configured bound.
  TranslateOptions one;
  one.max_results = 1;
  EXPECT_EQ(StackTranslator(testing::StackedMdDm(), one)
                .Translate({"sdb", kSdb2Start - 4096, 8192})
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(VerdictName(Verdict::kRepairable), "repairable");
  EXPECT_EQ(VerdictName(Verdict::kLoss), "loss");
}

}  // namespace
}  // namespace mfr::controller::resolve
