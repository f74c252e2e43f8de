#include "controller/query_service.h"

#include "common/grpc_status.h"

namespace mfr::controller {
namespace {

// How long one wait of WatchIncidents lasts before it checks whether the
// client went away.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(500);

// Runs `compute`, moves its result into the response, counts and times
// the request, converts the status.
template <typename T, typename Compute>
grpc::Status Reply(ControllerMetrics* metrics, const char* method,
                   Compute compute, T* response) {
  const absl::Time start = absl::Now();
  absl::StatusOr<T> result = compute();
  grpc::Status status = ToGrpcStatus(result.status());
  if (result.ok()) *response = *std::move(result);
  metrics->CountRequest(method, status, absl::Now() - start);
  return status;
}

}  // namespace

grpc::Status QueryServiceImpl::QueryRange(
    grpc::ServerContext*, const mfr::v1::QueryRangeRequest* request,
    mfr::v1::QueryRangeResponse* response) {
  return Reply(
      metrics_, "QueryRange", [&] { return core_->QueryRange(*request); },
      response);
}

grpc::Status QueryServiceImpl::ListHosts(grpc::ServerContext*,
                                         const mfr::v1::ListHostsRequest*,
                                         mfr::v1::ListHostsResponse* response) {
  return Reply(
      metrics_, "ListHosts", [&] { return core_->ListHosts(clock_()); },
      response);
}

grpc::Status QueryServiceImpl::ListIncidents(
    grpc::ServerContext*, const mfr::v1::ListIncidentsRequest* request,
    mfr::v1::ListIncidentsResponse* response) {
  return Reply(
      metrics_, "ListIncidents", [&] { return queries_->List(*request); },
      response);
}

grpc::Status QueryServiceImpl::GetIncident(
    grpc::ServerContext*, const mfr::v1::GetIncidentRequest* request,
    mfr::v1::Incident* response) {
  return Reply(
      metrics_, "GetIncident", [&] { return queries_->Get(request->id()); },
      response);
}

grpc::Status QueryServiceImpl::ListAffectedFiles(
    grpc::ServerContext*, const mfr::v1::ListAffectedFilesRequest* request,
    mfr::v1::ListAffectedFilesResponse* response) {
  return Reply(
      metrics_, "ListAffectedFiles",
      [&] { return queries_->ListAffectedFiles(*request); }, response);
}

grpc::Status QueryServiceImpl::AcknowledgeIncident(
    grpc::ServerContext*, const mfr::v1::AcknowledgeIncidentRequest* request,
    mfr::v1::Incident* response) {
  return Reply(
      metrics_, "AcknowledgeIncident",
      [&] { return incidents_->Acknowledge(*request, clock_()); }, response);
}

grpc::Status QueryServiceImpl::ResolveIncident(
    grpc::ServerContext*, const mfr::v1::ResolveIncidentRequest* request,
    mfr::v1::Incident* response) {
  return Reply(
      metrics_, "ResolveIncident",
      [&] { return incidents_->ResolveIncident(*request, clock_()); },
      response);
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
