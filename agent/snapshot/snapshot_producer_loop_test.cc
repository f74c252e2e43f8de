// End-to-end tests of ProduceSnapshot on real filesystems on loop devices
// (root; skipped visibly otherwise): XFS with rmapbt (GETFSMAP source),
// XFS without rmapbt and ext4 (FIEMAP_WALK source). Each layout has plain
// files, hard links, a fragmented pair, preallocated space and (XFS) a
// reflinked copy; every file's live FIEMAP must be covered by its records.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/snapshot/fiemap.h"
#include "agent/snapshot/snapshot_producer.h"
#include "common/scoped_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/file_patterns.h"
#include "tests/fixtures/loop_fs.h"

namespace mfr::agent::snapshot {
namespace {

using ::mfr::testing::FsKind;
using ::testing::Contains;

// Everything a snapshot stream carried, checked for shape on arrival.
struct Collected {
  std::vector<v1::SnapshotChunk> chunks;
  std::vector<v1::ReverseMapRecord> records;
  std::map<uint64_t, std::set<std::string>> paths;
  uint64_t inode_entries = 0;

  std::set<std::string> PathsOf(uint64_t inode) const {
    auto it = paths.find(inode);
    return it == paths.end() ? std::set<std::string>() : it->second;
  }

  ChunkSink Sink() {
    return [this](const v1::SnapshotChunk& chunk) {
      chunks.push_back(chunk);
      for (const auto& r : chunk.batch().records()) records.push_back(r);
      for (const auto& entry : chunk.batch().inodes()) {
        ++inode_entries;
        for (const auto& p : entry.paths()) paths[entry.inode()].insert(p);
      }
      return absl::OkStatus();
    };
  }
};

std::vector<FileExtent> LiveExtents(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::vector<FileExtent> all;
  EXPECT_TRUE(ForEachFileExtent(
                  fd.get(), FiemapOptions(),
                  [&](absl::Span<const FileExtent> batch) {
                    all.insert(all.end(), batch.begin(), batch.end());
                    return absl::OkStatus();
                  },
                  nullptr)
                  .ok());
  return all;
}

// Bytes of `extent` covered by FILE_DATA records of `inode` that map the
// same file offsets to the same physical bytes.
uint64_t CoveredBytes(const FileExtent& extent, uint64_t inode,
                      const std::vector<v1::ReverseMapRecord>& records) {
  uint64_t covered = 0;
  for (const v1::ReverseMapRecord& r : records) {
    if (r.inode() != inode || r.kind() != v1::OWNER_KIND_FILE_DATA) continue;
    const uint64_t start = std::max(extent.physical, r.physical_offset_bytes());
    const uint64_t end = std::min(extent.physical + extent.length,
                                  r.physical_offset_bytes() + r.length_bytes());
    if (start >= end) continue;
    const uint64_t record_offset =
        r.file_offset_bytes() + (start - r.physical_offset_bytes());
    const uint64_t extent_offset = extent.logical + (start - extent.physical);
    if (record_offset == extent_offset) covered += end - start;
  }
  return covered;
}

class SnapshotLoopTest : public ::testing::Test {
 protected:
  // Skipping here, not in a helper, keeps the test body from running.
  void SetUp() override {
    std::string why;
    if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  }
  void Mount(FsKind kind, std::vector<std::string> mkfs_args = {}) {
    mfr::testing::LoopFsOptions options;
    options.kind = kind;
    options.size_bytes = kind == FsKind::kXfs ? 320ull << 20 : 128ull << 20;
    options.mkfs_args = std::move(mkfs_args);
    auto fs = mfr::testing::LoopFs::Create(options);
    ASSERT_TRUE(fs.ok()) << fs.status();
    fs_ = std::move(*fs);
  }
  std::string Path(const std::string& name) const {
    return fs_->mount_point() + "/" + name;
  }
  uint64_t Inode(const std::string& name) const {
    struct stat st;
    EXPECT_EQ(lstat(Path(name).c_str(), &st), 0) << name;
    return st.st_ino;
  }

  // The layout every test snapshots; `reflink` adds a reflinked copy.
  void MakeFiles(bool reflink) {
    namespace t = ::mfr::testing;
    ASSERT_EQ(mkdir(Path("dir").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(Path("dir/sub").c_str(), 0755), 0);
    ASSERT_TRUE(t::WriteFile(Path("plain"), 1 << 20).ok());
    ASSERT_TRUE(t::WriteFile(Path("dir/sub/deep"), 64 << 10).ok());
    ASSERT_EQ(link(Path("plain").c_str(), Path("dir/hard").c_str()), 0);
    ASSERT_TRUE(
        t::WriteInterleaved(Path("frag_a"), Path("frag_b"), 40, 8192).ok());
    ASSERT_TRUE(t::Preallocate(Path("prealloc"), 1 << 20).ok());
    ASSERT_TRUE(t::WriteFile(Path("empty"), 0).ok());
    ASSERT_EQ(symlink("plain", Path("link").c_str()), 0);
    if (reflink) {
      ASSERT_TRUE(t::ReflinkCopy(Path("plain"), Path("plain.reflink")).ok());
    }
  }
  std::vector<std::string> RegularFiles(bool reflink) const {
    std::vector<std::string> files = {"plain",  "dir/sub/deep", "dir/hard",
                                      "frag_a", "frag_b",       "prealloc",
                                      "empty"};
    if (reflink) files.push_back("plain.reflink");
    return files;
  }

  SnapshotRequest Request() const {
    SnapshotRequest req;
    req.host = "test-host";
    req.mount = fs_->MountProto();
    req.generation = 7;
    req.batch_size = 50;
    return req;
  }

  // The checks every mode must pass.
  void CheckCommon(const Collected& got, const SnapshotStats& stats,
                   bool reflink) {
    ASSERT_GE(got.chunks.size(), 3u);
    ASSERT_TRUE(got.chunks.front().has_header());
    const v1::SnapshotFooter& footer = got.chunks.back().footer();
    EXPECT_EQ(footer.record_count(), got.records.size());
    EXPECT_EQ(footer.inode_count(), got.inode_entries);
    EXPECT_EQ(stats.records, got.records.size());
    EXPECT_EQ(stats.inodes, got.inode_entries);
    for (size_t i = 1; i + 1 < got.chunks.size(); ++i) {
      ASSERT_TRUE(got.chunks[i].has_batch()) << i;
    }
    for (const std::string& name : RegularFiles(reflink)) {
      const uint64_t inode = Inode(name);
      EXPECT_THAT(got.PathsOf(inode), Contains(name)) << name;
      for (const FileExtent& e : LiveExtents(Path(name))) {
        EXPECT_EQ(CoveredBytes(e, inode, got.records), e.length)
            << name << " extent at " << e.logical;
      }
    }
    EXPECT_THAT(got.PathsOf(Inode("plain")), Contains("dir/hard"));
    EXPECT_THAT(got.PathsOf(Inode(".")), Contains("."));
    std::set<v1::MetadataKind> metadata;
    bool free = false, unwritten = false;
    for (const auto& r : got.records) {
      if (r.kind() == v1::OWNER_KIND_METADATA)
        metadata.insert(r.metadata_kind());
      free |= r.kind() == v1::OWNER_KIND_FREE_SPACE;
      unwritten |= r.unwritten() && r.inode() == Inode("prealloc");
    }
    EXPECT_TRUE(free);
    EXPECT_TRUE(unwritten);
    EXPECT_GE(metadata.size(), 3u);
  }

  std::unique_ptr<mfr::testing::LoopFs> fs_;
};

// A physical byte range covered by records of both inodes (reflink).
bool SharedBetween(uint64_t a, uint64_t b,
                   const std::vector<v1::ReverseMapRecord>& records) {
  for (const auto& ra : records) {
    if (ra.inode() != a || ra.kind() != v1::OWNER_KIND_FILE_DATA) continue;
    for (const auto& rb : records) {
      if (rb.inode() == b && rb.kind() == v1::OWNER_KIND_FILE_DATA &&
          rb.physical_offset_bytes() == ra.physical_offset_bytes()) {
        return true;
      }
    }
  }
  return false;
}

TEST_F(SnapshotLoopTest, XfsWithRmapUsesGetfsmapInPhysicalOrder) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs));
  ASSERT_NO_FATAL_FAILURE(MakeFiles(/*reflink=*/true));
  Collected got;
  SnapshotStats stats;
  absl::Status status = ProduceSnapshot(Request(), got.Sink(), &stats);
  ASSERT_TRUE(status.ok()) << status;
  const v1::SnapshotHeader& header = got.chunks.front().header();
  EXPECT_EQ(header.source(), v1::SNAPSHOT_SOURCE_GETFSMAP);
  EXPECT_TRUE(header.physical_order());
  EXPECT_EQ(header.device(), fs_->device_name());
  EXPECT_EQ(header.device_size_bytes(), 320ull << 20);
  EXPECT_EQ(header.generation(), 7u);
  for (size_t i = 1; i < got.records.size(); ++i) {
    ASSERT_LE(got.records[i - 1].physical_offset_bytes(),
              got.records[i].physical_offset_bytes())
        << i;
  }
  EXPECT_TRUE(
      SharedBetween(Inode("plain"), Inode("plain.reflink"), got.records));
  EXPECT_EQ(stats.fiemap_records, 0u);
  ASSERT_NO_FATAL_FAILURE(CheckCommon(got, stats, /*reflink=*/true));
}

TEST_F(SnapshotLoopTest, XfsWithoutRmapWalksWithFiemap) {
  ASSERT_NO_FATAL_FAILURE(
      Mount(FsKind::kXfs, {"-f", "-q", "-m", "rmapbt=0,reflink=1"}));
  ASSERT_NO_FATAL_FAILURE(MakeFiles(/*reflink=*/true));
  Collected got;
  SnapshotStats stats;
  absl::Status status = ProduceSnapshot(Request(), got.Sink(), &stats);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(got.chunks.front().header().source(),
            v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_FALSE(got.chunks.front().header().physical_order());
  EXPECT_TRUE(
      SharedBetween(Inode("plain"), Inode("plain.reflink"), got.records));
  EXPECT_GT(stats.fsmap_records, 0u);  // free space and "unknown"
  // Without the rmap XFS names no metadata: only free space and unknown.
  bool free = false, unknown = false;
  for (const auto& r : got.records) {
    free |= r.kind() == v1::OWNER_KIND_FREE_SPACE;
    unknown |= r.kind() == v1::OWNER_KIND_UNKNOWN;
  }
  EXPECT_TRUE(free && unknown);
  for (const std::string& name : RegularFiles(true)) {
    for (const FileExtent& e : LiveExtents(Path(name))) {
      EXPECT_EQ(CoveredBytes(e, Inode(name), got.records), e.length) << name;
    }
  }
}

TEST_F(SnapshotLoopTest, Ext4WalksWithFiemapPlusMetadata) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kExt4));
  ASSERT_NO_FATAL_FAILURE(MakeFiles(/*reflink=*/false));
  Collected got;
  SnapshotStats stats;
  absl::Status status = ProduceSnapshot(Request(), got.Sink(), &stats);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(got.chunks.front().header().source(),
            v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_FALSE(got.chunks.front().header().physical_order());
  EXPECT_EQ(stats.fiemap_errors, 0u);
  // ext4 maps directories too: the directory "dir" owns a block.
  bool dir_block = false;
  for (const auto& r : got.records) dir_block |= r.inode() == Inode("dir");
  EXPECT_TRUE(dir_block);
  ASSERT_NO_FATAL_FAILURE(CheckCommon(got, stats, /*reflink=*/false));
}

TEST_F(SnapshotLoopTest, FailingSinkStopsProduction) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kXfs));
  ASSERT_NO_FATAL_FAILURE(MakeFiles(/*reflink=*/false));
  int chunks = 0;
  SnapshotRequest req = Request();
  req.batch_size = 4;
  absl::Status status = ProduceSnapshot(
      req,
      [&](const v1::SnapshotChunk& chunk) {
        EXPECT_FALSE(chunk.has_footer());
        return ++chunks == 3 ? absl::DeadlineExceededError("stream deadline")
                             : absl::OkStatus();
      },
      nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(chunks, 3);
}

TEST_F(SnapshotLoopTest, WrongDeviceIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Mount(FsKind::kExt4));
  SnapshotRequest req = Request();
  req.mount.mutable_dev()->set_minor(req.mount.dev().minor() + 1);
  Collected got;
  EXPECT_EQ(ProduceSnapshot(req, got.Sink()).code(),
            absl::StatusCode::kFailedPrecondition);
  req = Request();
  req.mount.set_mount_point(Path("dir"));  // not the root of a mount
  ASSERT_EQ(mkdir(Path("dir").c_str(), 0755), 0);
  EXPECT_EQ(ProduceSnapshot(req, got.Sink()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(got.chunks.empty());
}

}  // namespace
}  // namespace mfr::agent::snapshot
