// Hosts, their filesystems, and which snapshot generation is current for
// each filesystem. The generation pointer is what makes snapshot
// replacement atomic: segments and inode paths are written under a fresh
// storage generation, and CommitSnapshot flips the pointer in one synced
// write batch. The replaced generation is retired, not deleted, so that a
// reader that read the old pointer still finds its data; it is deleted at
// the next commit.
//
// The filesystem records are also kept in memory, so that a range query
// does not scan RocksDB for them: Current() hands out a host's records
// together with a RocksDB snapshot that holds every generation they name.
// Thread-safe.
#ifndef MFR_STORAGE_FILESYSTEM_REGISTRY_H_
#define MFR_STORAGE_FILESYSTEM_REGISTRY_H_

#include <cstdint>
#include <map>
#include <memory>
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

  // One host's filesystems as last stored (in registry key order, empty
  // for an unknown host) and a view of the database in which the
  // generations they point to are readable.
  struct Filesystems {
    std::shared_ptr<const std::vector<FilesystemRecord>> records;
    std::shared_ptr<const rocksdb::Snapshot> view;
  };
  Filesystems Current(const std::string& host) const;
  // A copy of Current(host).records.
  std::vector<FilesystemRecord> ListFilesystems(const std::string& host) const;

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
  using RecordList = std::shared_ptr<const std::vector<FilesystemRecord>>;

  explicit FilesystemRegistry(Db* db) : db_(db) {}
  absl::StatusOr<FilesystemRecord> Get(const std::string& key, bool* found);
  // Records kReverseMapFormat in a new database; drops the snapshots of an
  // older format (their segments cannot be read), also from `all` (every
  // stored record); refuses a newer one. Writes nothing when current.
  absl::Status UpgradeFormat(std::vector<FilesystemRecord>* all);
  // Publishes a record just written to RocksDB (replacing the one with the
  // same registry key) to Current()'s readers.
  void Publish(const FilesystemRecord& record) ABSL_LOCKS_EXCLUDED(view_mu_);
  // Drops SST files holding only generations [from_gen, to_gen) of fs_id.
  void DropFiles(uint64_t fs_id, uint64_t from_gen, uint64_t to_gen);

  Db* const db_;
  absl::Mutex mu_;  // serialises writers
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // Readers copy a host's list and take their RocksDB snapshot under this
  // lock; a writer replaces the list after its write is in RocksDB. So a
  // reader's records name generations its snapshot holds: the one a record
  // replaced stays readable (retired) until the next commit, which waits
  // for this publication.
  mutable absl::Mutex view_mu_;
  std::map<std::string, RecordList> by_host_ ABSL_GUARDED_BY(view_mu_);
};

// The registry key of a filesystem: its uuid, or its mount point if the
// uuid is unknown.
std::string FilesystemKeyOf(const std::string& host, const std::string& uuid,
                            const std::string& mount_point);

}  // namespace mfr::storage

#endif  // MFR_STORAGE_FILESYSTEM_REGISTRY_H_
