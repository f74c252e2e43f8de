// The query side of the controller, free of gRPC: which owners live at a
// range, and which hosts report. Reads are consistent: the filesystem's
// generation pointer and its segments come from one RocksDB snapshot.
// Thread-safe.
#ifndef MFR_CONTROLLER_QUERY_CORE_H_
#define MFR_CONTROLLER_QUERY_CORE_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mfr/v1/query_service.pb.h"
#include "storage/db.h"
#include "storage/filesystem_registry.h"
#include "storage/reverse_map_reader.h"

namespace mfr::controller {

class QueryCore {
 public:
  // Collaborators must outlive the core.
  QueryCore(const storage::Db* db, storage::FilesystemRegistry* registry)
      : db_(db), registry_(registry), reader_(db) {}

  // InvalidArgument for a missing host/target or a bad range; NotFound for
  // an unknown host or device; FailedPrecondition when the filesystem has no
  // snapshot yet.
  absl::StatusOr<mfr::v1::QueryRangeResponse> QueryRange(
      const mfr::v1::QueryRangeRequest& request) const;

  // Every registered host with its filesystems; ages relative to `now`.
  absl::StatusOr<mfr::v1::ListHostsResponse> ListHosts(absl::Time now) const;

 private:
  const storage::Db* const db_;
  storage::FilesystemRegistry* const registry_;
  storage::ReverseMapReader reader_;
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_QUERY_CORE_H_
