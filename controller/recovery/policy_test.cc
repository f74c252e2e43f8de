#include "controller/recovery/policy.h"

#include <csignal>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::recovery {
namespace {

TEST(PolicyTest, EmptyPolicyIsTheDocumentedDefault) {
  auto policy = ParsePolicy("");
  ASSERT_TRUE(policy.ok());
  EffectivePolicy e = Effective(*policy);
  EXPECT_EQ(e.kill_mappers, Mode::kEnabled);
  EXPECT_EQ(e.rewrite, Mode::kEnabled);
  EXPECT_EQ(e.scrub, Mode::kEnabled);
  EXPECT_EQ(e.md_check, Mode::kEnabled);
  EXPECT_EQ(e.refresh_snapshot, Mode::kEnabled);
  EXPECT_EQ(e.kill_signal, SIGBUS);
  EXPECT_FALSE(e.kill_mappers_of_lost_pages);
  EXPECT_EQ(e.max_kills_per_host_per_minute, kDefaultMaxKillsPerHostPerMinute);
}

TEST(PolicyTest, GlobalDryRunKeepsDisabledKindsDisabled) {
  auto policy = ParsePolicy("dry_run: true scrub: ACTION_MODE_DISABLED");
  ASSERT_TRUE(policy.ok());
  EffectivePolicy e = Effective(*policy);
  EXPECT_EQ(e.kill_mappers, Mode::kDryRun);
  EXPECT_EQ(e.rewrite, Mode::kDryRun);
  EXPECT_EQ(e.scrub, Mode::kDisabled);
}

TEST(PolicyTest, BadTextIsRefusedWithItsPosition) {
  struct Case {
    const char* text;
    const char* message;
  } kCases[] = {
      {"kill_signal: SIGTERM", "line 1"},
      {"no_such_field: 1", "no_such_field"},
      {"excluded_path_prefixes: ''", "every file"},
      {"excluded_hosts: ''", "excluded_hosts"},
      {"kill_signal: 9", "kill_signal"},
      {"scrub: 7", "action mode 7"},
  };
  for (const auto& c : kCases) {
    auto policy = ParsePolicy(c.text);
    ASSERT_FALSE(policy.ok()) << c.text;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), testing::HasSubstr(c.message))
        << c.text;
  }
}

TEST(PolicyTest, Exclusions) {
  EffectivePolicy e = Effective(
      *ParsePolicy("excluded_hosts: 'db1' excluded_path_prefixes: 'tmp/' "
                   "excluded_path_prefixes: '/data/scratch/'"));
  EXPECT_TRUE(e.HostExcluded("db1"));
  EXPECT_FALSE(e.HostExcluded("db2"));
  EXPECT_TRUE(e.PathExcluded("/data", "tmp/x"));
  EXPECT_TRUE(e.PathExcluded("/data", "scratch/y"));
  EXPECT_TRUE(e.PathExcluded("/data/", "scratch/y"));
  EXPECT_FALSE(e.PathExcluded("/other", "scratch/y"));
  EXPECT_FALSE(e.PathExcluded("/data", "keep/tmp/x"));
}

}  // namespace
}  // namespace mfr::controller::recovery
