// Hosts, their filesystems, and which snapshot generation is current for
// each filesystem. The generation pointer is what makes snapshot
// replacement atomic: segments and inode paths are written under a fresh
// storage generation, and CommitSnapshot flips the pointer in one synced
// write batch. The replaced generation is retired, not deleted, so that a
// reader that read the old pointer still finds its data; it is deleted at
// the next commit.
//
// Reads take an optional RocksDB snapshot so that a caller can read the
// pointer and the segments it points to from one consistent view.
// Thread-safe.
#ifndef MFR_STORAGE_FILESYSTEM_REGISTRY_H_
#define MFR_STORAGE_FILESYSTEM_REGISTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "mfr/internal/storage.pb.h"
#include "mfr/v1/agent_service.pb.h"
#include "storage/db.h"

namespace mfr::storage {

using mfr::internal::FilesystemRecord;
using mfr::internal::HostRecord;

class FilesystemRegistry {
 public:
  // Loads the id counter; `db` must outlive the registry.
  static absl::StatusOr<std::unique_ptr<FilesystemRegistry>> Open(Db* db);

  // Replaces the host's record (topology, agent version, last seen).
  absl::Status PutHost(const HostRecord& host);
  // NotFound for a host that never registered.
  absl::StatusOr<HostRecord> GetHost(const std::string& host,
                                     const rocksdb::Snapshot* view = nullptr);
  absl::StatusOr<std::vector<HostRecord>> ListHosts(
      const rocksdb::Snapshot* view = nullptr);
  // Updates last_seen of a registered host (no-op for unknown hosts).
  absl::Status TouchHost(const std::string& host,
                         const google::protobuf::Timestamp& now);

  // The filesystem a snapshot header names (by uuid, else mount point),
  // created with a fresh fs_id if new. Descriptive fields (mount point,
  // device) come from the header; for a known filesystem they are stored
  // only when a snapshot commits.
  absl::StatusOr<FilesystemRecord> Resolve(const mfr::v1::SnapshotHeader& h);

  absl::StatusOr<std::vector<FilesystemRecord>> ListFilesystems(
      const std::string& host, const rocksdb::Snapshot* view = nullptr);

  // A fresh, never reused number (fs ids, storage generations, upload ids).
  absl::StatusOr<uint64_t> NextId();

  // Makes `updated` (with its new storage_generation) current. Fails with
  // FailedPrecondition when a snapshot with an agent generation >= the new
  // one was committed meanwhile; the caller then discards its data.
  absl::Status CommitSnapshot(const FilesystemRecord& updated);

  // Deletes generations that are neither current nor retired (left by a
  // crash mid-upload) and all staging data. Call once at startup, before
  // serving.
  absl::Status CollectGarbage();

 private:
  explicit FilesystemRegistry(Db* db) : db_(db) {}
  absl::StatusOr<FilesystemRecord> Get(const std::string& key, bool* found);
  // Drops SST files holding only generations [from_gen, to_gen) of fs_id.
  void DropFiles(uint64_t fs_id, uint64_t from_gen, uint64_t to_gen);

  Db* const db_;
  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

// The registry key of a filesystem: its uuid, or its mount point if the
// uuid is unknown.
std::string FilesystemKeyOf(const std::string& host, const std::string& uuid,
                            const std::string& mount_point);

}  // namespace mfr::storage

#endif  // MFR_STORAGE_FILESYSTEM_REGISTRY_H_
