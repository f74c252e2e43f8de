// The controller's RocksDB database with its column families (see
// DESIGN.md, "Controller state"). Owns the rocksdb::DB and its handles;
// thread-safe like rocksdb::DB. Memory is bounded by DbOptions: one shared
// block cache and a cap on all memtables together.
#ifndef MFR_STORAGE_DB_H_
#define MFR_STORAGE_DB_H_

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/sst_file_writer.h"

namespace mfr::storage {

enum class Family {
  kMeta = 0,     // "default": counters
  kSegments,     // fs_id | generation | end -> run of segments
  kInodes,       // fs_id | generation | inode -> paths (inode_paths.h)
  kFilesystems,  // host | fs key -> FilesystemRecord
  kTopology,     // host -> HostRecord
  kIncidents,
  kReports,
  kActions,
  kStaging,  // upload_id | start | seq -> raw record (unordered uploads)
  kIncidentsByDevice,  // host | device | incident number -> "" (see
                       // IncidentStore)
  kCount,
};

struct DbOptions {
  std::string path;
  size_t block_cache_bytes = 256 << 20;
  size_t memtable_budget_bytes = 128 << 20;  // all column families together
};

// Converts a RocksDB status; `context` says what was being done.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context);

class Db {
 public:
  // Opens or creates the database and any missing column family.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const DbOptions& options);
  ~Db();

  rocksdb::DB* raw() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Family f) const {
    return handles_[static_cast<size_t>(f)];
  }

  // A consistent read view; released when the returned object dies.
  std::shared_ptr<const rocksdb::Snapshot> Snapshot() const;

  // Writes the memtables of these families to SST files, so that data
  // written without the WAL is durable.
  absl::Status Flush(std::initializer_list<Family> families);

  // A writer of one SST file for `family`, with the family's options. Keys
  // must be added in strictly increasing order; the file goes under the
  // database directory so that ingesting it can move instead of copy.
  std::unique_ptr<rocksdb::SstFileWriter> NewSstFileWriter(Family family) const;
  std::string SstFilePath(uint64_t id) const;
  // Moves finished SST files into `family` atomically.
  absl::Status IngestSstFiles(Family family,
                              const std::vector<std::string>& paths);

  // Approximate bytes on disk and in memtables, for metrics and benchmarks.
  uint64_t ApproximateSizeBytes() const;

 private:
  Db() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::string path_;
  rocksdb::Options options_;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<size_t>(Family::kCount)>
      handles_{};
};

}  // namespace mfr::storage

#endif  // MFR_STORAGE_DB_H_
