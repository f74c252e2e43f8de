// Tests of the observation builders on the recorded layout and the recorded
// `ndctl list -RN --media-errors` output (testdata/README.md).
#include "agent/pmem/observations.h"

#include "agent/pmem/recorded_tree.h"
#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

using sources::ByteSpan;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kGiB;
using testing::kMiB;

MATCHER_P4(IsObservation, device, source, origin, spans, "") {
  return arg.device == device && arg.source == source && arg.origin == origin &&
         arg.spans == spans;
}

TEST(FromRegion, OneObservationPerDeviceNamingTheNamespace) {
  const std::vector<ByteSpan> spans = {{4088 * 512, 16 * 512},
                                       {2101248ull * 512, 512},
                                       {16781312ull * 512, 4096}};
  EXPECT_THAT(FromRegion(testing::RecordedAddressMap(), "region0", spans,
                         mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS, "/r0/badblocks"),
              ElementsAre(IsObservation(
                  "pmem0", mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS,
                  "/r0/badblocks via namespace0.0",
                  std::vector<ByteSpan>{{0, 4096}, {kGiB, 512}})));
  EXPECT_THAT(
      FromRegion(testing::RecordedAddressMap(), "region0", {{4096, 4096}},
                 mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS, "x"),
      IsEmpty());
}

TEST(DevicesOfRegion, OnlyLinearNamespaces) {
  EXPECT_THAT(DevicesOfRegion(testing::RecordedAddressMap(), "region0"),
              ElementsAre("pmem0"));
  EXPECT_THAT(DevicesOfRegion(testing::RecordedAddressMap(), "region1"),
              ElementsAre("pmem1"));
  EXPECT_THAT(DevicesOfRegion(testing::RecordedAddressMap(), "region2"),
              IsEmpty());
}

TEST(FromNdctl, RecordedOutputAgreesWithTheSysfsFiles) {
  absl::StatusOr<std::string> json =
      topology::testing::ReadTestData(testing::kNdctlJson);
  ASSERT_TRUE(json.ok()) << json.status();
  auto entries = sources::ParseNdctlMediaErrors(*json);
  ASSERT_TRUE(entries.ok()) << entries.status();
  const std::vector<ByteSpan> pmem0 = {{0, 4096}, {kGiB, 512}};
  const std::vector<ByteSpan> pmem1 = {{512 * kMiB, 4096}};
  const auto ndctl = mfr::v1::ERROR_SOURCE_NDCTL;
  // Document order: region1, namespace1.0, region0, (devdax dropped),
  // namespace0.0; region entries translated, namespace ones as they are.
  EXPECT_THAT(
      FromNdctl(testing::RecordedAddressMap(), *entries),
      ElementsAre(
          IsObservation("pmem1", ndctl, "ndctl list region1 via namespace1.0",
                        pmem1),
          IsObservation("pmem1", ndctl, "ndctl list namespace1.0", pmem1),
          IsObservation("pmem0", ndctl, "ndctl list region0 via namespace0.0",
                        pmem0),
          IsObservation("pmem0", ndctl, "ndctl list namespace0.0", pmem0)));
}

TEST(PollObservations, IncompleteDevices) {
  PollObservations poll;
  poll.incomplete.insert("pmem1");
  EXPECT_TRUE(poll.IsIncomplete("pmem1"));
  EXPECT_FALSE(poll.IsIncomplete("pmem0"));
  poll.all_incomplete = true;
  EXPECT_TRUE(poll.IsIncomplete("pmem0"));
}

}  // namespace
}  // namespace mfr::agent::pmem
