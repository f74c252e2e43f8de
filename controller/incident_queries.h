// Reading incidents (mfr.v1.QueryService): one incident, lists by host,
// state and update time with paging, and the fleet's damaged files with
// each file's own recovery state. Read-only over the incident store;
// thread-safe (RocksDB). Changes go through IncidentCore.
#ifndef MFR_CONTROLLER_INCIDENT_QUERIES_H_
#define MFR_CONTROLLER_INCIDENT_QUERIES_H_

#include <string>

#include "absl/status/statusor.h"
#include "mfr/v1/query_service.pb.h"
#include "storage/incident_store.h"

namespace mfr::controller {

inline constexpr uint32_t kDefaultPageSize = 100;
inline constexpr uint32_t kMaxPageSize = 1000;

class IncidentQueries {
 public:
  // `store` must outlive the queries.
  explicit IncidentQueries(const storage::IncidentStore* store)
      : store_(store) {}

  // NotFound for an unknown id.
  absl::StatusOr<mfr::v1::Incident> Get(const std::string& id) const;
  // InvalidArgument for a malformed page token.
  absl::StatusOr<mfr::v1::ListIncidentsResponse> List(
      const mfr::v1::ListIncidentsRequest& request) const;
  absl::StatusOr<mfr::v1::ListAffectedFilesResponse> ListAffectedFiles(
      const mfr::v1::ListAffectedFilesRequest& request) const;

 private:
  const storage::IncidentStore* const store_;
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_INCIDENT_QUERIES_H_
