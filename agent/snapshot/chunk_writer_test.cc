// Tests of ChunkWriter's batching, footer counts and sink failures.
#include "agent/snapshot/chunk_writer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::snapshot {
namespace {

struct Recorder {
  std::vector<v1::SnapshotChunk> chunks;
  int fail_at = -1;  // index of the chunk whose delivery fails

  ChunkSink Sink() {
    return [this](const v1::SnapshotChunk& chunk) {
      if (static_cast<int>(chunks.size()) == fail_at) {
        return absl::UnavailableError("stream broke");
      }
      chunks.push_back(chunk);
      return absl::OkStatus();
    };
  }
};

absl::Status AddRecord(ChunkWriter& writer, uint64_t physical) {
  v1::ReverseMapRecord* record = writer.NewRecord();
  record->set_physical_offset_bytes(physical);
  record->set_length_bytes(4096);
  return writer.CommitRecord();
}

TEST(ChunkWriterTest, BatchesByItemCountAndCountsInFooter) {
  Recorder recorder;
  ChunkWriter writer(recorder.Sink(), /*max_items=*/3, /*max_bytes=*/1 << 20);
  ASSERT_TRUE(writer.WriteHeader(v1::SnapshotHeader()).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AddRecord(writer, i * 4096).ok());
  ASSERT_TRUE(writer.AddInodePath(131, "a/b").ok());
  ASSERT_TRUE(writer.AddInodePath(131, "a/c").ok());
  ASSERT_TRUE(writer.Finish().ok());

  ASSERT_EQ(recorder.chunks.size(), 5u);  // header, 3 batches, footer
  EXPECT_TRUE(recorder.chunks[0].has_header());
  EXPECT_EQ(recorder.chunks[1].batch().records_size(), 3);
  EXPECT_EQ(recorder.chunks[2].batch().records_size(), 2);
  EXPECT_EQ(recorder.chunks[2].batch().inodes_size(), 1);
  EXPECT_EQ(recorder.chunks[3].batch().inodes_size(), 1);
  EXPECT_EQ(recorder.chunks[3].batch().inodes(0).paths(0), "a/c");
  const v1::SnapshotFooter& footer = recorder.chunks[4].footer();
  EXPECT_EQ(footer.record_count(), 5u);
  EXPECT_EQ(footer.inode_count(), 2u);
  EXPECT_EQ(writer.batches_sent(), 3u);
}

TEST(ChunkWriterTest, BatchesByBytes) {
  Recorder recorder;
  ChunkWriter writer(recorder.Sink(), /*max_items=*/1000, /*max_bytes=*/2000);
  const std::string long_path(900, 'x');
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(writer.AddInodePath(i, long_path).ok());
  ASSERT_TRUE(writer.Finish().ok());
  // A batch closes once it reaches max_bytes: 3 + 2 entries, then the footer.
  ASSERT_EQ(recorder.chunks.size(), 3u);
  EXPECT_EQ(recorder.chunks[0].batch().inodes_size(), 3);
  EXPECT_LE(recorder.chunks[0].ByteSizeLong(), 3000u);
}

TEST(ChunkWriterTest, DiscardedRecordIsNotSent) {
  Recorder recorder;
  ChunkWriter writer(recorder.Sink(), 10, 1 << 20);
  ASSERT_TRUE(AddRecord(writer, 0).ok());
  writer.NewRecord()->set_physical_offset_bytes(99);
  writer.DiscardRecord();
  ASSERT_TRUE(writer.Finish().ok());
  ASSERT_EQ(recorder.chunks.size(), 2u);
  EXPECT_EQ(recorder.chunks[0].batch().records_size(), 1);
  EXPECT_EQ(recorder.chunks[1].footer().record_count(), 1u);
}

TEST(ChunkWriterTest, EmptySnapshotHasHeaderAndFooterOnly) {
  Recorder recorder;
  ChunkWriter writer(recorder.Sink(), 10, 1 << 20);
  ASSERT_TRUE(writer.WriteHeader(v1::SnapshotHeader()).ok());
  ASSERT_TRUE(writer.Finish().ok());
  ASSERT_EQ(recorder.chunks.size(), 2u);
  EXPECT_EQ(recorder.chunks[1].footer().record_count(), 0u);
}

TEST(ChunkWriterTest, SinkFailureIsStickyAndStopsTheStream) {
  Recorder recorder;
  recorder.fail_at = 2;  // header ok, first batch ok, second batch fails
  ChunkWriter writer(recorder.Sink(), 2, 1 << 20);
  ASSERT_TRUE(writer.WriteHeader(v1::SnapshotHeader()).ok());
  ASSERT_TRUE(AddRecord(writer, 0).ok());
  ASSERT_TRUE(AddRecord(writer, 1).ok());
  ASSERT_TRUE(AddRecord(writer, 2).ok());
  EXPECT_EQ(AddRecord(writer, 3).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(writer.AddInodePath(1, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(writer.Finish().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(recorder.chunks.size(), 2u);  // nothing after the failure
  EXPECT_EQ(writer.records_sent(), 2u);
}

}  // namespace
}  // namespace mfr::agent::snapshot
