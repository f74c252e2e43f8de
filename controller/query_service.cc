#include "controller/query_service.h"

#include "common/grpc_status.h"

namespace mfr::controller {
namespace {

grpc::Status NotYet() {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "incidents arrive with the detection milestone");
}

// Moves a result into the response, counts the request, converts status.
template <typename T>
grpc::Status Reply(ControllerMetrics* metrics, const char* method,
                   absl::StatusOr<T> result, T* response) {
  grpc::Status status = ToGrpcStatus(result.status());
  if (result.ok()) *response = *std::move(result);
  metrics->CountRequest(method, status);
  return status;
}

}  // namespace

grpc::Status QueryServiceImpl::QueryRange(
    grpc::ServerContext*, const mfr::v1::QueryRangeRequest* request,
    mfr::v1::QueryRangeResponse* response) {
  return Reply(metrics_, "QueryRange", core_->QueryRange(*request), response);
}

grpc::Status QueryServiceImpl::ListHosts(grpc::ServerContext*,
                                         const mfr::v1::ListHostsRequest*,
                                         mfr::v1::ListHostsResponse* response) {
  return Reply(metrics_, "ListHosts", core_->ListHosts(clock_()), response);
}

grpc::Status QueryServiceImpl::ListIncidents(
    grpc::ServerContext*, const mfr::v1::ListIncidentsRequest*,
    mfr::v1::ListIncidentsResponse*) {
  return NotYet();
}

grpc::Status QueryServiceImpl::GetIncident(grpc::ServerContext*,
                                           const mfr::v1::GetIncidentRequest*,
                                           mfr::v1::Incident*) {
  return NotYet();
}

grpc::Status QueryServiceImpl::ListAffectedFiles(
    grpc::ServerContext*, const mfr::v1::ListAffectedFilesRequest*,
    mfr::v1::ListAffectedFilesResponse*) {
  return NotYet();
}

grpc::Status QueryServiceImpl::WatchIncidents(
    grpc::ServerContext*, const mfr::v1::WatchIncidentsRequest*,
    grpc::ServerWriter<mfr::v1::Incident>*) {
  return NotYet();
}

}  // namespace mfr::controller
