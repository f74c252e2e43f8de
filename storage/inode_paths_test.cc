#include "storage/inode_paths.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::storage {
namespace {

using ::testing::ElementsAre;

std::string Paths(const std::vector<std::string>& paths) {
  std::string value;
  for (const auto& p : paths) AppendInodePath(p, &value);
  return value;
}

TEST(InodePathsTest, RoundTripsAndStopsAtMax) {
  const std::string long_path(300, 'x');  // a two-byte length
  std::vector<std::string> out;
  ASSERT_TRUE(DecodeInodePaths(Paths({"a/b", long_path, "c"}), 10, &out).ok());
  EXPECT_THAT(out, ElementsAre("a/b", long_path, "c"));
  out.clear();
  ASSERT_TRUE(DecodeInodePaths(Paths({"a", "b", "c"}), 2, &out).ok());
  EXPECT_THAT(out, ElementsAre("a", "b"));
}

TEST(InodePathsTest, RejectsMalformedValues) {
  const struct {
    const char* why;
    std::string value;
  } kBad[] = {
      {"empty path", std::string("\x00", 1)},
      {"length past the end",
       "\x05"
       "ab"},
      {"truncated length", "\x80"},
      {"endless length", "\xff\xff\xff\xff\xff\x01"},
  };
  for (const auto& bad : kBad) {
    std::vector<std::string> out;
    EXPECT_FALSE(DecodeInodePaths(bad.value, 10, &out).ok()) << bad.why;
  }
}

TEST(InodePathsTest, MergeConcatenatesUpToTheCap) {
  auto merge = NewInodePathsMergeOperator();
  auto* associative =
      static_cast<rocksdb::AssociativeMergeOperator*>(merge.get());
  std::string merged;
  const std::string first = Paths({"a/file"});
  ASSERT_TRUE(associative->Merge("k", nullptr, first, &merged, nullptr));
  const std::string existing = merged;
  const rocksdb::Slice existing_slice(existing);
  ASSERT_TRUE(associative->Merge("k", &existing_slice, Paths({"b/link", "c"}),
                                 &merged, nullptr));
  std::vector<std::string> out;
  ASSERT_TRUE(DecodeInodePaths(merged, 100, &out).ok());
  EXPECT_THAT(out, ElementsAre("a/file", "b/link", "c"));

  // An inode with very many hard links keeps its first paths only.
  std::string many;
  for (size_t i = 0; i < kMaxStoredPathsPerInode; ++i) {
    AppendInodePath("p" + std::to_string(i), &many);
  }
  const rocksdb::Slice many_slice(many);
  ASSERT_TRUE(associative->Merge("k", &many_slice, Paths({"one-too-many"}),
                                 &merged, nullptr));
  EXPECT_EQ(merged, many);
}

}  // namespace
}  // namespace mfr::storage
