#include "common/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr {
namespace {

const std::vector<FlagSpec> kSpecs = {
    {"controller", "controller address", "127.0.0.1:7411"},
    {"host", "host name", ""},
    {"json", "print JSON", "", true},
    {"offset", "bytes", ""},
};

TEST(FlagsTest, ParsesForms) {
  auto f = ParseFlags({"query-range", "--host=h1", "--offset", "4096", "--json",
                       "extra", "--", "--not-a-flag"},
                      kSpecs);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Get("host"), "h1");
  EXPECT_EQ(*f->GetUint64("offset"), 4096u);
  EXPECT_TRUE(f->GetBool("json"));
  EXPECT_EQ(f->Get("controller"), "127.0.0.1:7411");  // default
  EXPECT_THAT(f->positional(),
              ::testing::ElementsAre("query-range", "extra", "--not-a-flag"));
  EXPECT_FALSE(f->help());
}

TEST(FlagsTest, Errors) {
  const std::vector<std::vector<std::string>> bad = {
      {"--nope=1"}, {"--host"}, {"--json=maybe"}};
  for (const auto& args : bad) {
    EXPECT_EQ(ParseFlags(args, kSpecs).status().code(),
              absl::StatusCode::kInvalidArgument)
        << args[0];
  }
  auto f = ParseFlags({"--offset=-5"}, kSpecs);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->GetUint64("offset").ok());
  EXPECT_FALSE(f->Require({"host"}).ok());
  EXPECT_TRUE(ParseFlags({"-h"}, kSpecs)->help());
}

TEST(FlagsTest, UsageListsEveryFlag) {
  std::string usage =
      Usage("mfrctl [flags] CMD", "Asks the controller.", kSpecs);
  EXPECT_THAT(usage, ::testing::HasSubstr("--controller  controller address "
                                          "(default: 127.0.0.1:7411)"));
  EXPECT_THAT(usage, ::testing::HasSubstr("--json"));
}

}  // namespace
}  // namespace mfr
