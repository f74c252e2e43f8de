// Tests of ForEachFsmapBatch against real XFS and ext4 filesystems on loop
// devices (root; skipped visibly otherwise), and of EncodeFsmapDevice.
#include "agent/snapshot/getfsmap.h"

#include <fcntl.h>
#include <sys/sysmacros.h>

#include <string>
#include <vector>

#include "agent/snapshot/fsmap_convert.h"
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

TEST(EncodeFsmapDeviceTest, MatchesTheKernelsNewEncodeDev) {
  EXPECT_EQ(EncodeFsmapDevice(7, 1), 0x701u);
  EXPECT_EQ(EncodeFsmapDevice(8, 16), 0x810u);
  EXPECT_EQ(EncodeFsmapDevice(259, 0), 0x10300u);
  EXPECT_EQ(EncodeFsmapDevice(7, 256), 0x100700u);  // loop256
  for (uint32_t major : {7u, 8u, 253u, 259u, 4095u}) {
    for (uint32_t minor : {0u, 1u, 255u, 256u, 1000u, 0xfffffu}) {
      EXPECT_EQ(EncodeFsmapDevice(major, minor),
                static_cast<uint32_t>(makedev(major, minor)))
          << major << ":" << minor;
    }
  }
}

std::vector<struct fsmap> Scan(int fd, const GetFsmapOptions& options,
                               int* batches = nullptr) {
  std::vector<struct fsmap> all;
  absl::Status status =
      ForEachFsmapBatch(fd, options, [&](absl::Span<const struct fsmap> b) {
        EXPECT_LE(b.size(), options.records_per_call);
        all.insert(all.end(), b.begin(), b.end());
        if (batches != nullptr) ++*batches;
        return absl::OkStatus();
      });
  EXPECT_TRUE(status.ok()) << status;
  return all;
}

class GetFsmapLoopTest : public ::testing::Test {
 protected:
  // Skipping here, not in a helper, keeps the test body from running.
  void SetUp() override {
    std::string why;
    if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  }
  void Mount(FsKind kind, uint64_t size_bytes) {
    LoopFsOptions options;
    options.kind = kind;
    options.size_bytes = size_bytes;
    auto fs = LoopFs::Create(options);
    ASSERT_TRUE(fs.ok()) << fs.status();
    fs_ = std::move(*fs);
    root_.reset(open(fs_->mount_point().c_str(), O_RDONLY | O_DIRECTORY));
    ASSERT_TRUE(root_.valid());
    device_ = EncodeFsmapDevice(fs_->dev_major(), fs_->dev_minor());
  }
  std::string Path(const std::string& name) {
    return fs_->mount_point() + "/" + name;
  }

  std::unique_ptr<LoopFs> fs_;
  ScopedFd root_;  // declared after fs_: closed before the unmount
  uint32_t device_ = 0;
};

TEST_F(GetFsmapLoopTest, XfsRecordsTileTheDeviceInPhysicalOrder) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs, 320ull << 20));
  ASSERT_TRUE(
      mfr::testing::WriteInterleaved(Path("a"), Path("b"), 40, 8192).ok());
  GetFsmapOptions options;
  options.device = device_;
  const std::vector<struct fsmap> all = Scan(root_.get(), options);
  ASSERT_FALSE(all.empty());
  uint64_t end = 0;
  for (const struct fsmap& rec : all) {
    EXPECT_EQ(rec.fmr_device, device_);
    EXPECT_EQ(rec.fmr_physical, end) << "gap or overlap";  // no reflink here
    end = rec.fmr_physical + rec.fmr_length;
  }
  EXPECT_EQ(end, 320ull << 20);
  EXPECT_TRUE(all.back().fmr_flags & FMR_OF_LAST);
}

TEST_F(GetFsmapLoopTest, SmallBatchesContinueFromTheLastRecord) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs, 320ull << 20));
  ASSERT_TRUE(
      mfr::testing::WriteInterleaved(Path("a"), Path("b"), 40, 8192).ok());
  ASSERT_TRUE(mfr::testing::ReflinkCopy(Path("a"), Path("a.copy")).ok());
  GetFsmapOptions big;
  big.device = device_;
  const std::vector<struct fsmap> expected = Scan(root_.get(), big);
  for (uint32_t per_call : {2u, 3u, 7u}) {
    GetFsmapOptions small = big;
    small.records_per_call = per_call;
    int batches = 0;
    const std::vector<struct fsmap> got = Scan(root_.get(), small, &batches);
    ASSERT_EQ(got.size(), expected.size()) << per_call;
    EXPECT_GE(batches, static_cast<int>(expected.size() / per_call));
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].fmr_physical, expected[i].fmr_physical) << i;
      EXPECT_EQ(got[i].fmr_owner, expected[i].fmr_owner) << i;
      EXPECT_EQ(got[i].fmr_offset, expected[i].fmr_offset) << i;
    }
  }
}

TEST_F(GetFsmapLoopTest, AllDevicesWhenNoneIsNamed) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs, 320ull << 20));
  const std::vector<struct fsmap> all = Scan(root_.get(), GetFsmapOptions());
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().fmr_device, device_);  // XFS reports new_encode_dev
}

TEST_F(GetFsmapLoopTest, AnotherDeviceIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs, 320ull << 20));
  GetFsmapOptions options;
  options.device = EncodeFsmapDevice(8, 0);  // not this filesystem's
  absl::Status status = ForEachFsmapBatch(
      root_.get(), options,
      [](absl::Span<const struct fsmap>) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

TEST_F(GetFsmapLoopTest, PhysicalRangeLimitsTheRecords) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs, 320ull << 20));
  GetFsmapOptions options;
  options.device = device_;
  options.start_bytes = 100ull << 20;
  options.end_bytes = (110ull << 20) - 1;
  const std::vector<struct fsmap> some = Scan(root_.get(), options);
  ASSERT_FALSE(some.empty());
  for (const struct fsmap& rec : some) {
    EXPECT_LE(rec.fmr_physical, options.end_bytes);
    EXPECT_GT(rec.fmr_physical + rec.fmr_length, options.start_bytes);
  }
}

TEST_F(GetFsmapLoopTest, CallbackErrorStopsTheScan) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs, 320ull << 20));
  GetFsmapOptions options;
  options.records_per_call = 2;
  int calls = 0;
  absl::Status status = ForEachFsmapBatch(
      root_.get(), options, [&](absl::Span<const struct fsmap>) {
        return ++calls == 2 ? absl::CancelledError("stop") : absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

TEST_F(GetFsmapLoopTest, Ext4ReportsMetadataAndFreeSpace) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kExt4, 64ull << 20));
  ASSERT_TRUE(mfr::testing::WriteFile(Path("f"), 1 << 20).ok());
  GetFsmapOptions options;
  options.device = device_;
  options.records_per_call = 5;
  const std::vector<struct fsmap> all = Scan(root_.get(), options);
  bool free = false, gdt = false, inodes = false, data_owner = false;
  for (const struct fsmap& rec : all) {
    EXPECT_TRUE(rec.fmr_flags & FMR_OF_SPECIAL_OWNER);  // ext4 names no inode
    free |= rec.fmr_owner == FMR_OWN_FREE;
    gdt |= rec.fmr_owner == kExt4OwnGdt;
    inodes |= rec.fmr_owner == kExt4OwnInodes;
    data_owner |= rec.fmr_owner == FMR_OWN_UNKNOWN;
  }
  EXPECT_TRUE(free && gdt && inodes && data_owner);
}

TEST(GetFsmapTest, UnsupportedFilesystemIsUnimplemented) {
  ScopedFd fd(open("/proc", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  absl::Status status = ForEachFsmapBatch(
      fd.get(), GetFsmapOptions(),
      [](absl::Span<const struct fsmap>) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << status;
}

TEST(GetFsmapTest, RejectsBadOptions) {
  GetFsmapOptions options;
  options.records_per_call = 1;
  auto ignore = [](absl::Span<const struct fsmap>) { return absl::OkStatus(); };
  EXPECT_EQ(ForEachFsmapBatch(-1, options, ignore).code(),
            absl::StatusCode::kInvalidArgument);
  options.records_per_call = 16;
  options.start_bytes = 10;
  options.end_bytes = 5;
  EXPECT_EQ(ForEachFsmapBatch(-1, options, ignore).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mfr::agent::snapshot
