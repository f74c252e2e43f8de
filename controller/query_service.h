// gRPC adapter for mfr.v1.QueryService over QueryCore (ranges, hosts),
// IncidentQueries (reading incidents) and IncidentCore (ack, resolve).
#ifndef MFR_CONTROLLER_QUERY_SERVICE_H_
#define MFR_CONTROLLER_QUERY_SERVICE_H_

#include <functional>

#include "absl/time/time.h"
#include "controller/incident_core.h"
#include "controller/incident_feed.h"
#include "controller/incident_queries.h"
#include "controller/metrics.h"
#include "controller/query_core.h"
#include "mfr/v1/query_service.grpc.pb.h"

namespace mfr::controller {

class QueryServiceImpl final : public mfr::v1::QueryService::Service {
 public:
  using Clock = std::function<absl::Time()>;
  QueryServiceImpl(const QueryCore* core, const IncidentQueries* queries,
                   IncidentCore* incidents, IncidentFeed* feed,
                   ControllerMetrics* metrics, Clock clock)
      : core_(core),
        queries_(queries),
        incidents_(incidents),
        feed_(feed),
        metrics_(metrics),
        clock_(clock) {}

  grpc::Status QueryRange(grpc::ServerContext* context,
                          const mfr::v1::QueryRangeRequest* request,
                          mfr::v1::QueryRangeResponse* response) override;
  grpc::Status ListHosts(grpc::ServerContext* context,
                         const mfr::v1::ListHostsRequest* request,
                         mfr::v1::ListHostsResponse* response) override;
  grpc::Status ListIncidents(grpc::ServerContext* context,
                             const mfr::v1::ListIncidentsRequest* request,
                             mfr::v1::ListIncidentsResponse* response) override;
  grpc::Status GetIncident(grpc::ServerContext* context,
                           const mfr::v1::GetIncidentRequest* request,
                           mfr::v1::Incident* response) override;
  grpc::Status ListAffectedFiles(
      grpc::ServerContext* context,
      const mfr::v1::ListAffectedFilesRequest* request,
      mfr::v1::ListAffectedFilesResponse* response) override;
  grpc::Status WatchIncidents(
      grpc::ServerContext* context,
      const mfr::v1::WatchIncidentsRequest* request,
      grpc::ServerWriter<mfr::v1::Incident>* writer) override;
  grpc::Status AcknowledgeIncident(
      grpc::ServerContext* context,
      const mfr::v1::AcknowledgeIncidentRequest* request,
      mfr::v1::Incident* response) override;
  grpc::Status ResolveIncident(grpc::ServerContext* context,
                               const mfr::v1::ResolveIncidentRequest* request,
                               mfr::v1::Incident* response) override;

 private:
  const QueryCore* const core_;
  const IncidentQueries* const queries_;
  IncidentCore* const incidents_;
  IncidentFeed* const feed_;
  ControllerMetrics* const metrics_;
  const Clock clock_;
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_QUERY_SERVICE_H_
