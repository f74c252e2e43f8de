#include "controller/query_service.h"

#include "common/grpc_status.h"

namespace mfr::controller {
namespace {

// How long one wait of WatchIncidents lasts before it checks whether the
// client went away.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(500);

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
    grpc::ServerContext*, const mfr::v1::ListIncidentsRequest* request,
    mfr::v1::ListIncidentsResponse* response) {
  return Reply(metrics_, "ListIncidents", incidents_->List(*request), response);
}

grpc::Status QueryServiceImpl::GetIncident(
    grpc::ServerContext*, const mfr::v1::GetIncidentRequest* request,
    mfr::v1::Incident* response) {
  return Reply(metrics_, "GetIncident", incidents_->Get(request->id()),
               response);
}

grpc::Status QueryServiceImpl::ListAffectedFiles(
    grpc::ServerContext*, const mfr::v1::ListAffectedFilesRequest* request,
    mfr::v1::ListAffectedFilesResponse* response) {
  return Reply(metrics_, "ListAffectedFiles",
               incidents_->ListAffectedFiles(*request), response);
}

grpc::Status QueryServiceImpl::AcknowledgeIncident(
    grpc::ServerContext*, const mfr::v1::AcknowledgeIncidentRequest* request,
    mfr::v1::Incident* response) {
  return Reply(metrics_, "AcknowledgeIncident",
               incidents_->Acknowledge(*request, clock_()), response);
}

grpc::Status QueryServiceImpl::ResolveIncident(
    grpc::ServerContext*, const mfr::v1::ResolveIncidentRequest* request,
    mfr::v1::Incident* response) {
  return Reply(metrics_, "ResolveIncident",
               incidents_->ResolveIncident(*request, clock_()), response);
}

grpc::Status QueryServiceImpl::WatchIncidents(
    grpc::ServerContext* context, const mfr::v1::WatchIncidentsRequest* request,
    grpc::ServerWriter<mfr::v1::Incident>* writer) {
  uint64_t seen = feed_->latest();  // changes from now on
  while (!context->IsCancelled()) {
    for (const auto& incident : feed_->Wait(&seen, kWatchPoll)) {
      if (!request->host().empty() && incident.host() != request->host()) {
        continue;
      }
      if (!writer->Write(incident)) return grpc::Status::OK;  // client left
    }
  }
  return grpc::Status::OK;
}

}  // namespace mfr::controller
