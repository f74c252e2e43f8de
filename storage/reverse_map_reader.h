// Answers "what lives at [offset, offset + length)" from one committed
// snapshot of one filesystem: one seek plus a forward scan over the runs
// of disjoint segments (keyed by their end offset), then one point Get per
// inode found for its paths.
// Thread-safe (read-only over rocksdb::DB).
#ifndef MFR_STORAGE_REVERSE_MAP_READER_H_
#define MFR_STORAGE_REVERSE_MAP_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/byte_range.h"
#include "mfr/internal/storage.pb.h"
#include "mfr/v1/types.pb.h"
#include "storage/db.h"

namespace mfr::storage {

class ReverseMapReader {
 public:
  // At most this many owner extents per lookup; a larger answer is
  // ResourceExhausted (the caller should ask for a narrower range).
  static constexpr size_t kMaxOwnerExtents = 100000;

  explicit ReverseMapReader(const Db* db) : db_(db) {}

  // Owners of `range` (bytes on the filesystem's data device) in the
  // snapshot `fs` points to, in physical order, each clipped to the range.
  // Sub-ranges no segment covers come back as OWNER_KIND_NOT_IN_SNAPSHOT.
  // `view` must be the RocksDB snapshot `fs` was read from, so that a
  // concurrent commit cannot delete the generation mid-read.
  // FailedPrecondition when fs has no committed snapshot.
  absl::StatusOr<std::vector<mfr::v1::OwnerExtent>> Lookup(
      const mfr::internal::FilesystemRecord& fs, const ByteSpan& range,
      const rocksdb::Snapshot* view) const;

 private:
  absl::Status FillPaths(const mfr::internal::FilesystemRecord& fs,
                         const rocksdb::Snapshot* view,
                         std::vector<mfr::v1::OwnerExtent>* owners) const;
  // Appends the paths of one inode (at most kMaxStoredPathsPerInode).
  absl::Status ReadPaths(const mfr::internal::FilesystemRecord& fs,
                         const rocksdb::Snapshot* view, uint64_t inode,
                         std::vector<std::string>* paths) const;

  const Db* const db_;
};

}  // namespace mfr::storage

#endif  // MFR_STORAGE_REVERSE_MAP_READER_H_
