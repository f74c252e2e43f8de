// Tests of the snapshot driver over a fake SnapshotIo: mode choice, stream
// shape, footer counts, per-file failures and sink failures.
#include "agent/snapshot/snapshot_producer.h"

#include <string>
#include <vector>

#include "agent/snapshot/snapshot_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::snapshot {
namespace {

struct fsmap Rec(uint64_t physical, uint64_t length, uint64_t owner,
                 uint32_t flags = 0) {
  struct fsmap rec = {};
  rec.fmr_device = 0x701;
  rec.fmr_physical = physical;
  rec.fmr_length = length;
  rec.fmr_owner = owner;
  rec.fmr_flags = flags;
  return rec;
}
struct fsmap Special(uint64_t physical, uint64_t length, uint64_t owner) {
  return Rec(physical, length, owner, FMR_OF_SPECIAL_OWNER);
}

struct FakeEntry {
  uint64_t inode;
  EntryType type;
  std::string path;
  std::vector<FileExtent> extents;
  absl::Status fiemap_status;
};

class FakeIo : public SnapshotIo {
 public:
  std::vector<struct fsmap> fsmap;
  absl::Status fsmap_status;
  std::vector<FakeEntry> entries;
  int fiemap_calls = 0;
  int walk_callbacks = 0;

  absl::StatusOr<uint64_t> DeviceSizeBytes() override { return 320ull << 20; }

  uint64_t LinkCount(uint64_t inode) const {
    uint64_t n = 0;
    for (const FakeEntry& e : entries) n += e.inode == inode;
    return n;
  }

  absl::Status ForEachFsmapBatch(uint32_t per_call,
                                 const FsmapBatchCallback& on_batch) override {
    if (!fsmap_status.ok()) return fsmap_status;
    for (size_t i = 0; i < fsmap.size(); i += per_call) {
      const size_t n = std::min<size_t>(per_call, fsmap.size() - i);
      absl::Status status = on_batch(absl::MakeConstSpan(&fsmap[i], n));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status Walk(const WalkCallback& on_entry, WalkStats* stats) override {
    for (const FakeEntry& e : entries) {
      ++walk_callbacks;
      ++stats->entries;
      absl::Status status =
          on_entry(WalkEntry{e.inode, e.type, e.path, -1, e.path});
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status ForEachExtent(const WalkEntry& entry, const MapDecision& decide,
                             const ExtentBatchCallback& on_batch) override {
    ++fiemap_calls;
    for (const FakeEntry& e : entries) {
      if (e.path != entry.path) continue;
      if (!e.fiemap_status.ok()) return e.fiemap_status;
      if (!decide(FileFacts{e.inode, LinkCount(e.inode)}))
        return absl::OkStatus();
      return e.extents.empty() ? absl::OkStatus() : on_batch(e.extents);
    }
    return absl::NotFoundError("no such entry");
  }
};

struct Stream {
  std::vector<v1::SnapshotChunk> chunks;
  std::vector<v1::ReverseMapRecord> records;
  std::vector<v1::InodePaths> inodes;
  int fail_at = -1;

  ChunkSink Sink() {
    return [this](const v1::SnapshotChunk& chunk) {
      if (static_cast<int>(chunks.size()) == fail_at) {
        return absl::UnavailableError("controller went away");
      }
      chunks.push_back(chunk);
      for (const auto& r : chunk.batch().records()) records.push_back(r);
      for (const auto& i : chunk.batch().inodes()) inodes.push_back(i);
      return absl::OkStatus();
    };
  }
};

SnapshotRequest Request(const std::string& fs_type) {
  SnapshotRequest req;
  req.host = "host-a";
  req.mount.set_mount_point("/mnt/data");
  req.mount.set_device("loop1");
  req.mount.mutable_dev()->set_major(7);
  req.mount.mutable_dev()->set_minor(1);
  req.mount.set_fs_type(fs_type);
  req.mount.set_fs_uuid("0d6bd1a8-6a1e-4c36-9d59-5d7c1e8a7f00");
  req.generation = 42;
  req.batch_size = 3;
  return req;
}

TEST(ChooseSourceTest, Table) {
  const struct fsmap free = Special(0, 4096, FMR_OWN_FREE);
  const struct fsmap unknown = Special(4096, 4096, FMR_OWN_UNKNOWN);
  const struct fsmap ag = Special(8192, 4096, kXfsOwnAg);
  const struct fsmap file = Rec(12288, 4096, 131);
  using V = std::vector<struct fsmap>;
  EXPECT_EQ(ChooseSource(FsFamily::kXfs, V{ag, free}),
            v1::SNAPSHOT_SOURCE_GETFSMAP);
  EXPECT_EQ(ChooseSource(FsFamily::kXfs, V{free, file}),
            v1::SNAPSHOT_SOURCE_GETFSMAP);
  EXPECT_EQ(ChooseSource(FsFamily::kXfs, V{unknown, free}),
            v1::SNAPSHOT_SOURCE_FIEMAP_WALK);  // XFS without rmapbt
  EXPECT_EQ(ChooseSource(FsFamily::kXfs, V{}), v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_EQ(ChooseSource(FsFamily::kExt4, V{ag, file}),
            v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_EQ(ChooseSource(FsFamily::kOther, V{file}),
            v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
}

TEST(ProduceSnapshotTest, XfsRmapStreamsRecordsInOrderThenPaths) {
  FakeIo io;
  io.fsmap = {Special(0, 4096, kXfsOwnFs), Special(4096, 8192, kXfsOwnAg),
              Rec(12288, 4096, 131), Rec(16384, 8192, 132, FMR_OF_PREALLOC),
              Special(24576, 1 << 20, FMR_OWN_FREE)};
  io.entries = {{128, EntryType::kDirectory, ".", {}, {}},
                {131, EntryType::kRegular, "a", {}, {}},
                {131, EntryType::kRegular, "dir/a-link", {}, {}}};
  Stream stream;
  SnapshotStats stats;
  ASSERT_TRUE(
      ProduceSnapshotWithIo(Request("xfs"), io, stream.Sink(), &stats).ok());

  const v1::SnapshotHeader& header = stream.chunks.front().header();
  EXPECT_EQ(header.host(), "host-a");
  EXPECT_EQ(header.mount_point(), "/mnt/data");
  EXPECT_EQ(header.fs_type(), "xfs");
  EXPECT_EQ(header.device(), "loop1");
  EXPECT_EQ(header.dev().minor(), 1u);
  EXPECT_EQ(header.generation(), 42u);
  EXPECT_EQ(header.device_size_bytes(), 320ull << 20);
  EXPECT_EQ(header.source(), v1::SNAPSHOT_SOURCE_GETFSMAP);
  EXPECT_TRUE(header.physical_order());
  EXPECT_GT(header.taken().seconds(), 0);
  EXPECT_EQ(io.fiemap_calls, 0);

  ASSERT_EQ(stream.records.size(), 5u);
  EXPECT_EQ(stream.records[2].inode(), 131u);
  EXPECT_TRUE(stream.records[3].unwritten());
  EXPECT_EQ(stream.records[4].kind(), v1::OWNER_KIND_FREE_SPACE);
  ASSERT_EQ(stream.inodes.size(), 3u);
  EXPECT_EQ(stream.inodes[2].paths(0), "dir/a-link");
  for (size_t i = 1; i + 1 < stream.chunks.size(); ++i) {
    const auto& batch = stream.chunks[i].batch();
    EXPECT_LE(batch.records_size() + batch.inodes_size(), 3);
  }
  const v1::SnapshotFooter& footer = stream.chunks.back().footer();
  EXPECT_EQ(footer.record_count(), 5u);
  EXPECT_EQ(footer.inode_count(), 3u);
  EXPECT_EQ(stats.records, 5u);
  EXPECT_EQ(stats.inodes, 3u);
  EXPECT_EQ(stats.source, v1::SNAPSHOT_SOURCE_GETFSMAP);
}

TEST(ProduceSnapshotTest, FiemapWalkSendsSpecialOwnersAndFileExtents) {
  FakeIo io;
  io.fsmap = {Special(0, 1024, FMR_OWN_UNKNOWN),
              Special(1024, 1024, kExt4OwnGdt),
              Rec(2048, 1024, 12),  // an inode owner: FIEMAP speaks for files
              Special(3072, 1 << 20, FMR_OWN_FREE)};
  io.entries = {
      {2, EntryType::kDirectory, ".", {}, absl::UnimplementedError("no")},
      {12,
       EntryType::kRegular,
       "f",
       {{0, 1 << 21, 8192, 0}, {8192, 1 << 22, 4096, FIEMAP_EXTENT_UNWRITTEN}},
       {}},
      {13, EntryType::kDirectory, "d", {{0, 1 << 23, 4096, 0}}, {}},
      {14, EntryType::kRegular, "d/gone", {}, absl::NotFoundError("raced")},
      {15, EntryType::kOther, "d/fifo", {}, {}}};
  Stream stream;
  SnapshotStats stats;
  ASSERT_TRUE(
      ProduceSnapshotWithIo(Request("ext4"), io, stream.Sink(), &stats).ok());
  const v1::SnapshotHeader& header = stream.chunks.front().header();
  EXPECT_EQ(header.source(), v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_FALSE(header.physical_order());
  ASSERT_EQ(stream.records.size(), 5u);  // 3 special + 2 extents of "f"
  EXPECT_EQ(stream.records[1].metadata_kind(),
            v1::METADATA_KIND_GROUP_DESCRIPTORS);
  const v1::ReverseMapRecord& second = stream.records[4];
  EXPECT_EQ(second.kind(), v1::OWNER_KIND_FILE_DATA);
  EXPECT_EQ(second.inode(), 12u);
  EXPECT_EQ(second.file_offset_bytes(), 8192u);
  EXPECT_EQ(second.physical_offset_bytes(), 1u << 22);
  EXPECT_TRUE(second.unwritten());
  // The root's Unimplemented stopped directory mapping: "d" was not mapped.
  EXPECT_EQ(io.fiemap_calls, 3);  // ".", "f", "d/gone"
  EXPECT_EQ(stats.fiemap_files, 1u);
  EXPECT_EQ(stats.fiemap_errors, 1u);
  EXPECT_EQ(stream.inodes.size(), 5u);
  EXPECT_EQ(stream.chunks.back().footer().record_count(), 5u);
  EXPECT_EQ(stream.chunks.back().footer().inode_count(), 5u);
}

TEST(ProduceSnapshotTest, HardLinkedFilesAreMappedOnce) {
  FakeIo io;
  const std::vector<FileExtent> extents = {{0, 1 << 20, 4096, 0}};
  io.entries = {{12, EntryType::kRegular, "a", extents, {}},
                {12, EntryType::kRegular, "b", extents, {}},
                {13, EntryType::kRegular, "c", extents, {}}};
  Stream stream;
  ASSERT_TRUE(
      ProduceSnapshotWithIo(Request("ext4"), io, stream.Sink(), nullptr).ok());
  EXPECT_EQ(stream.records.size(), 2u);  // inode 12 once, inode 13 once
  EXPECT_EQ(stream.inodes.size(), 3u);   // but every path
}

TEST(ProduceSnapshotTest, DirectoriesAreMappedWhereTheFilesystemCan) {
  FakeIo io;
  io.fsmap_status = absl::UnimplementedError("no GETFSMAP");
  io.entries = {{2, EntryType::kDirectory, ".", {{0, 1 << 20, 4096, 0}}, {}},
                {13, EntryType::kDirectory, "d", {{0, 1 << 21, 4096, 0}}, {}}};
  Stream stream;
  SnapshotStats stats;
  ASSERT_TRUE(
      ProduceSnapshotWithIo(Request("ext4"), io, stream.Sink(), &stats).ok());
  EXPECT_EQ(stream.records.size(), 2u);
  EXPECT_FALSE(stats.fsmap_available);
  EXPECT_EQ(stats.fsmap_records, 0u);
  EXPECT_EQ(stats.fiemap_records, 2u);
}

TEST(ProduceSnapshotTest, XfsWithoutRmapUsesTheWalk) {
  FakeIo io;
  io.fsmap = {Special(0, 40960, FMR_OWN_UNKNOWN),
              Special(40960, 4096, FMR_OWN_FREE)};
  io.entries = {{131, EntryType::kRegular, "f", {{0, 1 << 20, 4096, 0}}, {}}};
  Stream stream;
  ASSERT_TRUE(
      ProduceSnapshotWithIo(Request("xfs"), io, stream.Sink(), nullptr).ok());
  EXPECT_EQ(stream.chunks.front().header().source(),
            v1::SNAPSHOT_SOURCE_FIEMAP_WALK);
  EXPECT_EQ(stream.records.size(), 3u);
}

TEST(ProduceSnapshotTest, NonUtf8PathsAreCountedNotSent) {
  FakeIo io;
  io.fsmap = {Special(0, 4096, kXfsOwnFs)};
  io.entries = {{131, EntryType::kRegular, "caf\xE9", {}, {}},
                {132, EntryType::kRegular, "ok", {}, {}}};
  Stream stream;
  SnapshotStats stats;
  ASSERT_TRUE(
      ProduceSnapshotWithIo(Request("xfs"), io, stream.Sink(), &stats).ok());
  ASSERT_EQ(stream.inodes.size(), 1u);
  EXPECT_EQ(stream.inodes[0].paths(0), "ok");
  EXPECT_EQ(stats.non_utf8_paths, 1u);
  for (const auto& chunk : stream.chunks) {
    std::string wire;
    ASSERT_TRUE(chunk.SerializeToString(&wire));
    v1::SnapshotChunk back;
    EXPECT_TRUE(back.ParseFromString(wire));
  }
}

TEST(ProduceSnapshotTest, SinkFailureStopsProductionWithItsError) {
  FakeIo io;
  for (int i = 0; i < 30; ++i) io.fsmap.push_back(Rec(i * 4096, 4096, 131 + i));
  for (int i = 0; i < 30; ++i) {
    io.entries.push_back(
        {131u + i, EntryType::kRegular, "f" + std::to_string(i), {}, {}});
  }
  Stream stream;
  stream.fail_at = 12;  // header + 10 batches of records, then the 11th batch
  SnapshotStats stats;
  absl::Status status =
      ProduceSnapshotWithIo(Request("xfs"), io, stream.Sink(), &stats);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "controller went away");
  ASSERT_EQ(stream.chunks.size(), 12u);
  EXPECT_FALSE(stream.chunks.back().has_footer());
  EXPECT_LT(io.walk_callbacks, 30);  // the walk stopped too
  EXPECT_EQ(stats.records, 30u);
  EXPECT_EQ(stats.inodes, 3u);
}

TEST(ProduceSnapshotTest, RejectsBadRequests) {
  FakeIo io;
  Stream stream;
  SnapshotRequest req = Request("xfs");
  req.batch_size = 0;
  EXPECT_EQ(ProduceSnapshotWithIo(req, io, stream.Sink(), nullptr).code(),
            absl::StatusCode::kInvalidArgument);
  req = Request("xfs");
  req.mount.set_mount_point("relative/path");
  EXPECT_EQ(ProduceSnapshot(req, stream.Sink()).code(),
            absl::StatusCode::kInvalidArgument);
  req.mount.set_mount_point("/no/such/mount/point");
  EXPECT_EQ(ProduceSnapshot(req, stream.Sink()).code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(stream.chunks.empty());
}

}  // namespace
}  // namespace mfr::agent::snapshot
