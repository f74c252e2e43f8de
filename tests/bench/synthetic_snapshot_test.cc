// The synthetic snapshot is what reverse_map_bench measures, so it must be
// a valid GETFSMAP-style stream: exact counts, physical order, accepted by
// the controller's record checks and segment builder, about the asked
// share of reflinked records, a path for every inode it names.
#include "tests/bench/synthetic_snapshot.h"

#include <algorithm>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/segment_builder.h"
#include "storage/snapshot_writer.h"

namespace mfr::bench {
namespace {

struct Drained {
  std::vector<mfr::v1::ReverseMapRecord> records;
  std::vector<mfr::v1::InodePaths> inodes;
  size_t largest_batch = 0;
};

Drained Drain(SyntheticSnapshot& data, size_t batch_size) {
  Drained out;
  mfr::v1::SnapshotBatch batch;
  while (data.Next(batch_size, &batch)) {
    out.largest_batch = std::max<size_t>(
        out.largest_batch, batch.records_size() + batch.inodes_size());
    out.records.insert(out.records.end(), batch.records().begin(),
                       batch.records().end());
    out.inodes.insert(out.inodes.end(), batch.inodes().begin(),
                      batch.inodes().end());
    batch.Clear();
  }
  return out;
}

TEST(SyntheticSnapshotTest, ExactCountsAndBatchLimits) {
  for (size_t batch_size : {1, 2, 7, 4096}) {
    SyntheticOptions options;
    options.records = 20011;
    SyntheticSnapshot data(options);
    Drained d = Drain(data, batch_size);
    EXPECT_EQ(d.records.size(), options.records) << batch_size;
    EXPECT_LE(d.largest_batch, batch_size);
    EXPECT_EQ(data.Footer().record_count(), options.records);
    EXPECT_EQ(data.Footer().inode_count(), d.inodes.size());
  }
}

TEST(SyntheticSnapshotTest, ValidPhysicalOrderWithSharedExtents) {
  SyntheticOptions options;
  options.records = 200000;
  SyntheticSnapshot data(options);
  Drained d = Drain(data, 4096);
  uint64_t segments = 0, file_records = 0, overlapping = 0, end = 0;
  storage::SegmentBuilder builder([&segments](const storage::Segment&) {
    ++segments;
    return absl::OkStatus();
  });
  for (const auto& r : d.records) {
    auto raw = storage::ToRawRecord(r, data.MaxEndBytes());
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_TRUE(builder.Add(*raw).ok());
    file_records += r.kind() == mfr::v1::OWNER_KIND_FILE_DATA;
    overlapping += r.physical_offset_bytes() < end;
    end = std::max(end, r.physical_offset_bytes() + r.length_bytes());
  }
  ASSERT_TRUE(builder.Finish().ok());
  EXPECT_EQ(end, data.end_bytes());
  EXPECT_GE(segments, options.records * 95 / 100);
  EXPECT_NEAR(static_cast<double>(overlapping) / file_records, 0.05, 0.01);
}

TEST(SyntheticSnapshotTest, EveryNamedInodeHasAPath) {
  SyntheticOptions options;
  options.records = 50000;
  SyntheticSnapshot data(options);
  Drained d = Drain(data, 4096);
  std::set<uint64_t> with_path;
  for (const auto& entry : d.inodes) {
    ASSERT_EQ(entry.paths_size(), 1);
    EXPECT_TRUE(with_path.insert(entry.inode()).second) << entry.inode();
  }
  for (const auto& r : d.records) {
    if (r.inode() != 0) {
      EXPECT_EQ(with_path.count(r.inode()), 1u);
    }
  }
}

TEST(SyntheticSnapshotTest, SameOptionsSameStream) {
  SyntheticOptions options;
  options.records = 5000;
  SyntheticSnapshot a(options), b(options);
  Drained da = Drain(a, 100), db = Drain(b, 333);
  ASSERT_EQ(da.records.size(), db.records.size());
  for (size_t i = 0; i < da.records.size(); ++i) {
    ASSERT_EQ(da.records[i].SerializeAsString(),
              db.records[i].SerializeAsString());
  }
}

}  // namespace
}  // namespace mfr::bench
