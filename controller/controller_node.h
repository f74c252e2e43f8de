// The controller's object graph, built in one place: RocksDB, the
// filesystem registry, the incident store and feed, the cores, metrics and
// the gRPC services over them. mfr-controller's main, the gRPC tests and the
// benchmarks all build it through Open, so they run the same wiring.
// Serving (ports, TLS) stays with the caller: see common/grpc_endpoints.h.
// Thread-safe like its parts; destroy after the server that uses services().
#ifndef MFR_CONTROLLER_CONTROLLER_NODE_H_
#define MFR_CONTROLLER_CONTROLLER_NODE_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/agent_core.h"
#include "controller/agent_service.h"
#include "controller/incident_core.h"
#include "controller/incident_feed.h"
#include "controller/incident_queries.h"
#include "controller/metrics.h"
#include "controller/query_core.h"
#include "controller/query_service.h"
#include "controller/recovery/action_dispatcher.h"
#include "controller/recovery/policy_file.h"
#include "controller/recovery/recovery_coordinator.h"
#include "storage/db.h"
#include "storage/filesystem_registry.h"
#include "storage/incident_store.h"

namespace mfr::controller {

struct ControllerNodeOptions {
  storage::DbOptions db;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  std::string policy_file;  // recovery policy; empty: the defaults
};

class ControllerNode {
 public:
  // Opens the database and collects what a crash left behind.
  static absl::StatusOr<std::unique_ptr<ControllerNode>> Open(
      const ControllerNodeOptions& options);

  std::vector<grpc::Service*> services() {
    return {agent_service_.get(), query_service_.get()};
  }
  storage::Db* db() const { return db_.get(); }
  storage::FilesystemRegistry* registry() const { return registry_.get(); }
  AgentCore* agent_core() const { return agent_core_.get(); }
  const QueryCore* query_core() const { return query_core_.get(); }
  IncidentCore* incident_core() const { return incident_core_.get(); }
  const IncidentQueries* incident_queries() const {
    return incident_queries_.get();
  }
  ControllerMetrics& metrics() { return metrics_; }
  // Ends every agent's action stream: call before shutting the server down.
  void CloseAgentStreams() { dispatcher_.CloseAll(); }
  // What the metrics read when scraped.
  struct ScrapeFacts ScrapeFacts(absl::Time now) const;

 private:
  ControllerNode() = default;

  std::unique_ptr<storage::Db> db_;
  std::unique_ptr<storage::FilesystemRegistry> registry_;
  std::unique_ptr<storage::IncidentStore> incident_store_;
  IncidentFeed feed_;
  ControllerMetrics metrics_;
  mutable recovery::ActionDispatcher dispatcher_;
  std::unique_ptr<recovery::PolicyFile> policy_;
  std::unique_ptr<recovery::RecoveryCoordinator> recovery_;
  std::unique_ptr<AgentCore> agent_core_;
  std::unique_ptr<QueryCore> query_core_;
  std::unique_ptr<IncidentCore> incident_core_;
  std::unique_ptr<IncidentQueries> incident_queries_;
  std::unique_ptr<AgentServiceImpl> agent_service_;
  std::unique_ptr<QueryServiceImpl> query_service_;
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_CONTROLLER_NODE_H_
