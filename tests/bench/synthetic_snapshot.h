// A deterministic, synthetic GETFSMAP-style snapshot for benchmarks.
//
// Contract:
// - Records come in physical order (non-decreasing start) and tile the
//   device from byte 0 without gaps, as GETFSMAP with rmapbt does: mostly
//   file data extents of files whose extents carry increasing file offsets
//   (with occasional holes), plus filesystem metadata and free space.
// - A `shared_fraction` of file records is followed by a record of another,
//   earlier file over the same range or a partially overlapping one
//   (reflink); both count towards `records`.
// - With `with_paths`, the records are followed by one InodePaths entry per
//   file (every inode any record names has a path).
// - Quantities are BYTES; extents are whole blocks of `block_bytes`.
// - The same options always give the same stream. Memory is O(1).
// Not thread-safe.
#ifndef MFR_TESTS_BENCH_SYNTHETIC_SNAPSHOT_H_
#define MFR_TESTS_BENCH_SYNTHETIC_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>

#include "mfr/v1/agent_service.pb.h"

namespace mfr::bench {

struct SyntheticOptions {
  uint64_t records = 10000000;  // ReverseMapRecords in the whole stream
  uint64_t block_bytes = 4096;
  double shared_fraction = 0.05;    // of file records: followed by an owner
  double metadata_fraction = 0.02;  // of extents
  double free_fraction = 0.08;      // of extents
  bool with_paths = true;
  uint64_t seed = 42;
};

// splitmix64: a tiny, fast, seedable generator (not for cryptography).
class FastRandom {
 public:
  explicit FastRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [lo, hi]; hi >= lo.
  uint64_t Between(uint64_t lo, uint64_t hi) {
    return lo + Next() % (hi - lo + 1);
  }
  // True with probability p.
  bool Chance(double p) { return (Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

class SyntheticSnapshot {
 public:
  explicit SyntheticSnapshot(const SyntheticOptions& options);

  // Appends up to `max_entries` records (later: inode path entries) to
  // *batch. Returns false, adding nothing, once the stream is exhausted.
  bool Next(size_t max_entries, mfr::v1::SnapshotBatch* batch);

  // Counts so far; once exhausted, the footer's counts.
  uint64_t records() const { return records_; }
  uint64_t inodes() const { return inodes_sent_; }
  mfr::v1::SnapshotFooter Footer() const;

  // One past the last byte any record produced so far covers.
  uint64_t end_bytes() const { return end_; }
  // An upper bound of end_bytes() for the whole stream (a device size).
  uint64_t MaxEndBytes() const;

  // Inode number of the k-th file: strictly increasing, sparse like XFS's.
  static uint64_t InodeOfFile(uint64_t k);

 private:
  // The next record: a pending second owner, else a fresh extent.
  void NextRecord(mfr::v1::ReverseMapRecord* r);
  void FileExtent(mfr::v1::ReverseMapRecord* r);
  // Plans a second owner of [start_block, start_block + blocks) in pending_.
  void PlanSharedOwner(uint64_t start_block, uint64_t blocks);
  void StartNextFile();
  void Place(uint64_t start_block, uint64_t blocks, mfr::v1::OwnerKind kind,
             mfr::v1::ReverseMapRecord* r);
  void AddPath(mfr::v1::SnapshotBatch* batch);

  const SyntheticOptions options_;
  FastRandom random_;
  uint64_t records_ = 0;
  uint64_t cursor_block_ = 0;  // start of the next primary extent
  uint64_t end_ = 0;
  // The file whose extents are being laid out; files_ files started so far.
  uint64_t files_ = 0;
  uint64_t file_offset_block_ = 0;
  uint64_t file_extents_left_ = 0;
  uint64_t inodes_sent_ = 0;
  bool has_pending_ = false;
  mfr::v1::ReverseMapRecord pending_;
};

}  // namespace mfr::bench

#endif  // MFR_TESTS_BENCH_SYNTHETIC_SNAPSHOT_H_
