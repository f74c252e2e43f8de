// One snapshot upload into the reverse map. Records are validated, cut into
// disjoint segments and written under a fresh storage generation; nothing is
// visible to readers until Commit flips the filesystem's generation pointer.
// A writer destroyed without a successful Commit deletes what it wrote, and
// a crash leaves only unreferenced keys that startup garbage collection
// removes: the previous snapshot stays intact either way.
//
// Records in physical order (GETFSMAP) stream straight through the segment
// builder; unordered ones (FIEMAP walks) are staged in RocksDB, which sorts
// them, and built at commit. Segments come out of the builder in key order,
// so they go into one SST file that Commit ingests (no memtable work);
// inode paths arrive in walk order and go through write batches. Memory
// stays bounded in both cases.
// Not thread-safe: one writer per upload stream.
#ifndef MFR_STORAGE_SNAPSHOT_WRITER_H_
#define MFR_STORAGE_SNAPSHOT_WRITER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mfr/v1/agent_service.pb.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "storage/filesystem_registry.h"
#include "storage/segment_builder.h"

namespace mfr::storage {

// Limits on hostile input.
inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kMaxPathsPerInode = 1024;

// Checks one record and converts it. InvalidArgument for a zero or
// overflowing range, a range past device_size_bytes (when non-zero), an
// unknown kind, or a file owner without an inode.
absl::StatusOr<RawRecord> ToRawRecord(const mfr::v1::ReverseMapRecord& r,
                                      uint64_t device_size_bytes);

class SnapshotWriter {
 public:
  // InvalidArgument for a header without host, mount point or generation.
  static absl::StatusOr<std::unique_ptr<SnapshotWriter>> Begin(
      Db* db, FilesystemRegistry* registry,
      const mfr::v1::SnapshotHeader& header);
  ~SnapshotWriter();

  // Adds one batch. After an error the upload is void.
  absl::Status AddBatch(const mfr::v1::SnapshotBatch& batch);

  // Checks the footer's counts against what arrived, finishes the segments,
  // makes them durable and flips the pointer.
  absl::StatusOr<mfr::v1::UploadSnapshotResponse> Commit(
      const mfr::v1::SnapshotFooter& footer);

 private:
  SnapshotWriter(Db* db, FilesystemRegistry* registry,
                 mfr::v1::SnapshotHeader header, FilesystemRecord fs,
                 uint64_t generation, uint64_t upload_id);
  absl::Status AddRecord(const mfr::v1::ReverseMapRecord& r);
  absl::Status AddInode(const mfr::v1::InodePaths& inode);
  // Adds a segment to the current run, written once the run is full.
  absl::Status PutSegment(const Segment& segment);
  // Writes the current run (if any) to the segment file.
  absl::Status WriteRun();
  // Writes the last run, finishes the segment file and moves it into the
  // database.
  absl::Status IngestSegments();
  absl::Status BuildFromStaging();
  absl::Status FlushBatch(bool force);
  // Deletes staged records and, unless keep_generation, the segments and
  // inode paths written under this upload's generation.
  void Discard(bool keep_generation);

  Db* const db_;
  FilesystemRegistry* const registry_;
  const mfr::v1::SnapshotHeader header_;
  FilesystemRecord fs_;
  const uint64_t generation_;  // storage generation of this upload
  const uint64_t upload_id_;   // staging key prefix
  SegmentBuilder builder_;
  SegmentRunEncoder run_;  // segments not yet written
  std::unique_ptr<rocksdb::SstFileWriter> segment_file_;  // open once used
  std::string run_key_, run_value_, inode_path_;          // reused buffers
  rocksdb::WriteBatch batch_;
  uint64_t records_ = 0, inodes_ = 0, staged_ = 0;
  bool failed_ = false, committed_ = false;
};

}  // namespace mfr::storage

#endif  // MFR_STORAGE_SNAPSHOT_WRITER_H_
