// Tests of ExtentFromKernel (a table of kernel flag combinations) and of
// ForEachFileExtent on real files on loop-mounted XFS and ext4 (root;
// skipped visibly otherwise).
#include "agent/snapshot/fiemap.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/scoped_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/file_patterns.h"
#include "tests/fixtures/loop_fs.h"

namespace mfr::agent::snapshot {
namespace {

using ::mfr::testing::FsKind;
using ::mfr::testing::LoopFs;
using ::mfr::testing::LoopFsOptions;

TEST(ExtentFromKernelTest, Table) {
  struct Case {
    const char* name;
    uint32_t flags;
    uint64_t length;
    bool reported;
  };
  const Case cases[] = {
      {"plain", 0, 4096, true},
      {"last", FIEMAP_EXTENT_LAST, 4096, true},
      {"unwritten", FIEMAP_EXTENT_UNWRITTEN, 4096, true},
      {"shared", FIEMAP_EXTENT_SHARED, 4096, true},
      {"merged", FIEMAP_EXTENT_MERGED, 4096, true},
      {"inline", FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED, 60,
       false},
      {"unknown", FIEMAP_EXTENT_UNKNOWN, 4096, false},
      {"delalloc", FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN, 4096, false},
      {"empty", 0, 0, false},
  };
  for (const Case& c : cases) {
    struct fiemap_extent e = {};
    e.fe_logical = 8192;
    e.fe_physical = 1 << 20;
    e.fe_length = c.length;
    e.fe_flags = c.flags;
    std::optional<FileExtent> got = ExtentFromKernel(e);
    ASSERT_EQ(got.has_value(), c.reported) << c.name;
    if (!got) continue;
    EXPECT_EQ(got->logical, 8192u) << c.name;
    EXPECT_EQ(got->physical, 1u << 20) << c.name;
    EXPECT_EQ(got->length, c.length) << c.name;
    EXPECT_EQ(got->unwritten(), (c.flags & FIEMAP_EXTENT_UNWRITTEN) != 0);
    EXPECT_EQ(got->shared(), (c.flags & FIEMAP_EXTENT_SHARED) != 0);
  }
  struct fiemap_extent overflow = {};
  overflow.fe_physical = ~0ull - 10;
  overflow.fe_length = 4096;
  EXPECT_FALSE(ExtentFromKernel(overflow).has_value());
}

class FiemapLoopTest : public ::testing::Test {
 protected:
  // Skipping here, not in a helper, keeps the test body from running.
  void SetUp() override {
    std::string why;
    if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  }
  void Mount(FsKind kind, std::vector<std::string> mkfs_args = {}) {
    LoopFsOptions options;
    options.kind = kind;
    options.size_bytes = kind == FsKind::kXfs ? 320ull << 20 : 64ull << 20;
    options.mkfs_args = std::move(mkfs_args);
    auto fs = LoopFs::Create(options);
    ASSERT_TRUE(fs.ok()) << fs.status();
    fs_ = std::move(*fs);
  }
  std::string Path(const std::string& name) {
    return fs_->mount_point() + "/" + name;
  }
  std::vector<FileExtent> Map(const std::string& name,
                              FiemapOptions options = {},
                              FiemapStats* stats = nullptr) {
    ScopedFd fd(open(Path(name).c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd.valid()) << name;
    std::vector<FileExtent> all;
    absl::Status status = ForEachFileExtent(
        fd.get(), options,
        [&](absl::Span<const FileExtent> batch) {
          all.insert(all.end(), batch.begin(), batch.end());
          return absl::OkStatus();
        },
        stats);
    EXPECT_TRUE(status.ok()) << status;
    return all;
  }

  std::unique_ptr<LoopFs> fs_;
};

TEST_F(FiemapLoopTest, FragmentedFileInSmallBatches) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs));
  ASSERT_TRUE(
      mfr::testing::WriteInterleaved(Path("a"), Path("b"), 40, 8192).ok());
  FiemapOptions options;
  options.extents_per_call = 3;
  FiemapStats stats;
  const std::vector<FileExtent> extents = Map("a", options, &stats);
  ASSERT_GE(extents.size(), 10u);  // interleaving defeats contiguity
  EXPECT_GT(stats.calls, 3u);
  uint64_t logical = 0;
  for (const FileExtent& e : extents) {
    EXPECT_EQ(e.logical, logical);  // no holes, in file order
    EXPECT_FALSE(e.unwritten());
    logical += e.length;
  }
  EXPECT_EQ(logical, 20u * 8192);
  EXPECT_EQ(Map("a").size(), extents.size());  // same with one call
}

TEST_F(FiemapLoopTest, UnwrittenAndSharedExtents) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs));
  ASSERT_TRUE(mfr::testing::Preallocate(Path("prealloc"), 1 << 20).ok());
  ASSERT_TRUE(mfr::testing::WriteFile(Path("orig"), 256 << 10).ok());
  ASSERT_TRUE(mfr::testing::ReflinkCopy(Path("orig"), Path("copy")).ok());
  const auto prealloc = Map("prealloc");
  ASSERT_FALSE(prealloc.empty());
  for (const FileExtent& e : prealloc) EXPECT_TRUE(e.unwritten());
  const auto orig = Map("orig");
  const auto copy = Map("copy");
  ASSERT_EQ(orig.size(), copy.size());
  for (size_t i = 0; i < orig.size(); ++i) {
    EXPECT_TRUE(orig[i].shared() && copy[i].shared());
    EXPECT_EQ(orig[i].physical, copy[i].physical);
  }
}

TEST_F(FiemapLoopTest, SyncGivesDelayedAllocationsBlocks) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs));
  {
    ScopedFd fd(open(Path("dirty").c_str(), O_WRONLY | O_CREAT, 0644));
    const std::string data(64 << 10, 'x');
    ASSERT_EQ(write(fd.get(), data.data(), data.size()),
              static_cast<ssize_t>(data.size()));
  }  // no fsync: delalloc until FIEMAP_FLAG_SYNC
  FiemapOptions no_sync;
  no_sync.sync = false;
  FiemapStats before;
  Map("dirty", no_sync, &before);
  FiemapStats after;
  const auto extents = Map("dirty", FiemapOptions(), &after);
  EXPECT_GE(before.skipped, 1u);  // delalloc: no address yet
  ASSERT_EQ(extents.size(), 1u);
  EXPECT_EQ(extents[0].length, 64u << 10);
  EXPECT_EQ(after.skipped, 0u);
}

TEST_F(FiemapLoopTest, Ext4InlineDataIsSkipped) {
  ASSERT_NO_FATAL_FAILURE(
      Mount(FsKind::kExt4, {"-F", "-q", "-O", "inline_data"}));
  ASSERT_TRUE(mfr::testing::WriteFile(Path("tiny"), 20).ok());
  ASSERT_TRUE(mfr::testing::WriteFile(Path("big"), 1 << 20).ok());
  FiemapStats stats;
  EXPECT_TRUE(Map("tiny", FiemapOptions(), &stats).empty());
  EXPECT_EQ(stats.skipped, 1u);
  EXPECT_FALSE(Map("big").empty());
}

TEST_F(FiemapLoopTest, EmptyFileHasNoExtents) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs));
  ASSERT_TRUE(mfr::testing::WriteFile(Path("empty"), 0).ok());
  EXPECT_TRUE(Map("empty").empty());
}

TEST(FiemapTest, UnsupportedFileIsUnimplementedOrError) {
  ScopedFd fd(open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  absl::Status status = ForEachFileExtent(
      fd.get(), FiemapOptions(),
      [](absl::Span<const FileExtent>) { return absl::OkStatus(); }, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << status;
}

}  // namespace
}  // namespace mfr::agent::snapshot
