// The pure decision, the mount-option parser and the path-prefix seam.
#include "agent/recovery/mapping_mode.h"

#include <memory>
#include <utility>

#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

TEST(ParseDaxMountOptionTest, Table) {
  struct Case {
    const char* mount;
    const char* super;
    DaxMountOption want;
  };
  const Case cases[] = {
      {"rw,relatime", "rw,attr2,inode64,logbufsz=32768,noquota",
       DaxMountOption::kUnset},
      {"rw,relatime", "rw,attr2,dax=always,inode64", DaxMountOption::kAlways},
      {"rw", "rw,dax", DaxMountOption::kAlways},  // ext4's old spelling
      {"rw", "rw,dax=never", DaxMountOption::kNever},
      {"rw", "rw,dax=inode", DaxMountOption::kInode},
      {"rw", "rw,daxx,nodax", DaxMountOption::kUnset},
      {"rw,dax=never", "rw,dax=always", DaxMountOption::kAlways},
      {"", "", DaxMountOption::kUnset},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseDaxMountOption(c.mount, c.super), c.want)
        << c.mount << " / " << c.super;
  }
}

TEST(DecideMappingModeTest, Table) {
  struct Case {
    const char* name;
    MappingFacts facts;
    MappingMode want;
  };
  const Case cases[] = {
      {"statx says page cache, flag and mount disagree",
       {true, false, DaxMountOption::kAlways, true},
       MappingMode::kPageCache},
      {"statx says dax",
       {true, true, DaxMountOption::kUnset, false},
       MappingMode::kDax},
      {"old kernel, dax=always",
       {false, false, DaxMountOption::kAlways, false},
       MappingMode::kDax},
      {"old kernel, dax=never beats the flag",
       {false, false, DaxMountOption::kNever, true},
       MappingMode::kPageCache},
      {"old kernel, dax=inode and flag",
       {false, false, DaxMountOption::kInode, true},
       MappingMode::kDax},
      {"old kernel, no option, flag",
       {false, false, DaxMountOption::kUnset, true},
       MappingMode::kDax},
      {"old kernel, nothing",
       {false, false, DaxMountOption::kUnset, false},
       MappingMode::kPageCache},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DecideMappingMode(c.facts), c.want) << c.name;
  }
}

TEST(PathIsUnderTest, WholeComponents) {
  EXPECT_TRUE(PathIsUnder("/mnt/a/x", "/mnt/a"));
  EXPECT_TRUE(PathIsUnder("/mnt/a/x", "/mnt/a/"));
  EXPECT_TRUE(PathIsUnder("/mnt/a", "/mnt/a"));
  EXPECT_TRUE(PathIsUnder("/anything", "/"));
  EXPECT_FALSE(PathIsUnder("/mnt/ab", "/mnt/a"));
  EXPECT_FALSE(PathIsUnder("/mnt", "/mnt/a"));
  EXPECT_FALSE(PathIsUnder("/mnt/a", ""));
}

// Answers a fixed mode and counts calls.
class FixedProbe : public MappingModeProbe {
 public:
  explicit FixedProbe(MappingMode mode, int* calls)
      : mode_(mode), calls_(calls) {}
  absl::StatusOr<MappingMode> ModeOf(int, absl::string_view) override {
    ++*calls_;
    return mode_;
  }

 private:
  MappingMode mode_;
  int* calls_;
};

TEST(PathPrefixDaxProbeTest, PrefixesAreDaxOthersAskTheFallback) {
  int calls = 0;
  PathPrefixDaxProbeForTesting probe(
      {"/mnt/fake-pmem", "/srv/db/"},
      std::make_unique<FixedProbe>(MappingMode::kPageCache, &calls));
  EXPECT_EQ(*probe.ModeOf(-1, "/mnt/fake-pmem/f"), MappingMode::kDax);
  EXPECT_EQ(*probe.ModeOf(-1, "/srv/db/x/y"), MappingMode::kDax);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(*probe.ModeOf(-1, "/mnt/fake-pmemx/f"), MappingMode::kPageCache);
  EXPECT_EQ(*probe.ModeOf(-1, "/home/f"), MappingMode::kPageCache);
  EXPECT_EQ(calls, 2);
}

TEST(PathPrefixDaxProbeTest, NoFallbackMeansPageCache) {
  PathPrefixDaxProbeForTesting probe({"/p"}, nullptr);
  EXPECT_EQ(*probe.ModeOf(-1, "/p/f"), MappingMode::kDax);
  EXPECT_EQ(*probe.ModeOf(-1, "/q/f"), MappingMode::kPageCache);
}

}  // namespace
}  // namespace mfr::agent::recovery
