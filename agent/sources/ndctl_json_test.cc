// Tests of the ndctl media-error parser on recorded-format outputs.
#include "agent/sources/ndctl_json.h"

#include <string>
#include <vector>

#include "agent/sources/test_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

using ::testing::ElementsAre;

ByteSpan Sectors(uint64_t sector, uint64_t count) {
  return {sector * 512, count * 512};
}

TEST(ParseNdctlMediaErrors, RegionsAndNamespaces) {
  absl::StatusOr<std::string> json =
      testing::ReadTestData("ndctl_list_RN_media_errors.json");
  ASSERT_TRUE(json.ok()) << json.status();
  absl::StatusOr<std::vector<NdctlMediaErrors>> got =
      ParseNdctlMediaErrors(*json);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 2u);  // namespace0.1 lists no badblocks
  const NdctlMediaErrors& region = (*got)[0];
  EXPECT_EQ(region.dev, "region0");
  EXPECT_TRUE(region.region);
  EXPECT_THAT(region.spans,
              ElementsAre(Sectors(65536, 1), Sectors(69628, 8),
                          Sectors(2097152, 1), Sectors(2097160, 8)));
  const NdctlMediaErrors& ns = (*got)[1];
  EXPECT_EQ(ns.dev, "namespace0.0");
  EXPECT_EQ(ns.blockdev, "pmem0");
  EXPECT_EQ(ns.mode, "fsdax");
  EXPECT_FALSE(ns.region);
  EXPECT_THAT(ns.spans, ElementsAre(Sectors(0, 4), Sectors(2027520, 1),
                                    Sectors(2027528, 8)));
}

TEST(ParseNdctlMediaErrors, OlderMultiBusOutputWithHexNumbers) {
  absl::StatusOr<std::string> json =
      testing::ReadTestData("ndctl_list_multibus_u.json");
  ASSERT_TRUE(json.ok()) << json.status();
  absl::StatusOr<std::vector<NdctlMediaErrors>> got =
      ParseNdctlMediaErrors(*json);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].blockdev, "pmem9");
  EXPECT_THAT((*got)[0].spans, ElementsAre(Sectors(16, 1)));
}

TEST(ParseNdctlMediaErrors, NoMediaErrorsIsAnEmptyList) {
  EXPECT_TRUE(ParseNdctlMediaErrors("")->empty());
  EXPECT_TRUE(ParseNdctlMediaErrors("[]")->empty());
  EXPECT_TRUE(
      ParseNdctlMediaErrors(R"({"dev":"namespace0.0","blockdev":"pmem0"})")
          ->empty());
}

TEST(ParseNdctlMediaErrors, HostileEntriesAreErrors) {
  for (
      const char* bad : {
          R"({"dev":"namespace0.0","badblocks":[{"offset":1}]})",
          R"({"dev":"namespace0.0","badblocks":[{"offset":1,"length":0}]})",
          R"({"dev":"namespace0.0","badblocks":[{"offset":-1,"length":1}]})",
          R"({"dev":"namespace0.0","badblocks":[{"offset":36028797018963968,"length":1}]})",
          R"({"dev":"namespace0.0","badblocks":[{"offset":"0xzz","length":1}]})",
          R"({"dev":"../../x","badblocks":[]})",
          R"({"badblocks":[]})",
          R"({"dev":"namespace0.0","blockdev":"pm/em0","badblocks":[]})",
          R"([{"dev":"region0","badblocks":[1]}])",
          "{",
      }) {
    EXPECT_FALSE(ParseNdctlMediaErrors(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace mfr::agent::sources
