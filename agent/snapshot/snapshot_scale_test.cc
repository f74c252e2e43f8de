// Scale test: ProduceSnapshot over an XFS (rmapbt=1) holding about a
// million reverse-map records and a hundred thousand files, with a sink that
// only serializes. Checks that peak RSS stays under 64 MB and prints the
// throughput of the raw GETFSMAP scan, the raw walk and the whole snapshot.
// Root and loop devices; skipped visibly otherwise.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agent/snapshot/getfsmap.h"
#include "agent/snapshot/inode_walker.h"
#include "agent/snapshot/snapshot_producer.h"
#include "common/scoped_fd.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs.h"

namespace mfr::agent::snapshot {
namespace {

constexpr int kExtents = 1000000;  // one rmap record each
constexpr int kDirs = 100;
constexpr int kFilesPerDir = 1000;

long PeakRssKb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Preallocates every other 4 KiB block of one file: each piece is its own
// extent and its own rmap record, with no data written to the image.
void MakeManyExtents(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd.valid());
  for (int i = 0; i < kExtents; ++i) {
    ASSERT_EQ(fallocate(fd.get(), 0, 2ll * i * 4096, 4096), 0) << i;
  }
}

void MakeManyFiles(const std::string& root) {
  for (int d = 0; d < kDirs; ++d) {
    const std::string dir = root + "/d" + std::to_string(d);
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    for (int f = 0; f < kFilesPerDir; ++f) {
      ScopedFd fd(open((dir + "/f" + std::to_string(f)).c_str(),
                       O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      ASSERT_TRUE(fd.valid());
    }
  }
}

void Report(const char* what, uint64_t count, absl::Duration took) {
  std::printf("%-28s %9llu in %8.3f s = %10.0f /s\n", what,
              static_cast<unsigned long long>(count),
              absl::ToDoubleSeconds(took), count / absl::ToDoubleSeconds(took));
}

TEST(SnapshotScaleTest, MillionRecordsInBoundedMemory) {
  std::string why;
  if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  mfr::testing::LoopFsOptions options;
  options.size_bytes = 12ull << 30;  // sparse; ~4 GiB gets preallocated
  auto fs = mfr::testing::LoopFs::Create(options);
  ASSERT_TRUE(fs.ok()) << fs.status();
  const std::string root = (*fs)->mount_point();
  absl::Time start = absl::Now();
  ASSERT_NO_FATAL_FAILURE(MakeManyExtents(root + "/many"));
  ASSERT_NO_FATAL_FAILURE(MakeManyFiles(root));
  sync();
  Report("setup (fallocate + create)", kExtents, absl::Now() - start);
  const long rss_before_kb = PeakRssKb();

  ScopedFd root_fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  uint64_t raw = 0;
  start = absl::Now();
  ASSERT_TRUE(ForEachFsmapBatch(root_fd.get(), GetFsmapOptions(),
                                [&](absl::Span<const struct fsmap> batch) {
                                  raw += batch.size();
                                  return absl::OkStatus();
                                })
                  .ok());
  Report("raw GETFSMAP records", raw, absl::Now() - start);
  EXPECT_GE(raw, static_cast<uint64_t>(kExtents));

  WalkStats walk;
  start = absl::Now();
  ASSERT_TRUE(WalkInodes(
                  root_fd.get(), WalkOptions(),
                  [](const WalkEntry&) { return absl::OkStatus(); }, &walk)
                  .ok());
  Report("raw walk entries", walk.entries, absl::Now() - start);

  SnapshotRequest req;
  req.host = "scale";
  req.mount = (*fs)->MountProto();
  uint64_t bytes = 0;
  SnapshotStats stats;
  ASSERT_TRUE(ProduceSnapshot(
                  req,
                  [&](const v1::SnapshotChunk& chunk) {
                    bytes += chunk.SerializeAsString().size();
                    return absl::OkStatus();
                  },
                  &stats)
                  .ok());
  Report("snapshot records", stats.records, stats.duration);
  Report("snapshot inode entries", stats.inodes, stats.duration);
  std::printf(
      "snapshot: %llu batches, %.1f MB serialized; peak RSS %ld KB "
      "(before snapshotting %ld KB)\n",
      static_cast<unsigned long long>(stats.batches), bytes / 1e6, PeakRssKb(),
      rss_before_kb);
  EXPECT_EQ(stats.source, v1::SNAPSHOT_SOURCE_GETFSMAP);
  EXPECT_GE(stats.records, static_cast<uint64_t>(kExtents));
  EXPECT_LE(PeakRssKb(), 64 * 1024);
}

// The FIEMAP_WALK path at scale: ext4, 100k files of one extent each.
TEST(SnapshotScaleTest, Ext4WalkWithFiemap) {
  std::string why;
  if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  mfr::testing::LoopFsOptions options;
  options.kind = mfr::testing::FsKind::kExt4;
  options.size_bytes = 2ull << 30;
  options.mkfs_args = {"-F", "-q", "-N", "200000"};
  auto fs = mfr::testing::LoopFs::Create(options);
  ASSERT_TRUE(fs.ok()) << fs.status();
  const std::string root = (*fs)->mount_point();
  for (int d = 0; d < kDirs; ++d) {
    const std::string dir = root + "/d" + std::to_string(d);
    ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
    for (int f = 0; f < kFilesPerDir; ++f) {
      ScopedFd fd(open((dir + "/f" + std::to_string(f)).c_str(),
                       O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      ASSERT_EQ(fallocate(fd.get(), 0, 0, 4096), 0);
    }
  }
  sync();
  SnapshotRequest req;
  req.host = "scale";
  req.mount = (*fs)->MountProto();
  SnapshotStats stats;
  ASSERT_TRUE(ProduceSnapshot(
                  req,
                  [](const v1::SnapshotChunk&) { return absl::OkStatus(); },
                  &stats)
                  .ok());
  Report("ext4 files mapped", stats.fiemap_files, stats.duration);
  Report("ext4 records", stats.records, stats.duration);
  EXPECT_EQ(stats.source, v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_GE(stats.fiemap_files, static_cast<uint64_t>(kDirs * kFilesPerDir));
  EXPECT_EQ(stats.fiemap_errors, 0u);
}

}  // namespace
}  // namespace mfr::agent::snapshot
