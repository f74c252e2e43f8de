#include "controller/controller_node.h"

#include <iostream>

namespace mfr::controller {

absl::StatusOr<std::unique_ptr<ControllerNode>> ControllerNode::Open(
    const ControllerNodeOptions& options) {
  std::unique_ptr<ControllerNode> n(new ControllerNode());
  auto db = storage::Db::Open(options.db);
  if (!db.ok()) return db.status();
  n->db_ = *std::move(db);
  auto registry = storage::FilesystemRegistry::Open(n->db_.get());
  if (!registry.ok()) return registry.status();
  n->registry_ = *std::move(registry);
  if (auto s = n->registry_->CollectGarbage(); !s.ok()) return s;
  n->incident_store_ = std::make_unique<storage::IncidentStore>(n->db_.get());
  auto policy = recovery::PolicyFile::Open(options.policy_file, &std::clog);
  if (!policy.ok()) return policy.status();
  n->policy_ = *std::move(policy);
  n->recovery_ =
      std::make_unique<recovery::RecoveryCoordinator>(n->policy_.get());
  n->agent_core_ =
      std::make_unique<AgentCore>(n->db_.get(), n->registry_.get());
  n->query_core_ =
      std::make_unique<QueryCore>(n->db_.get(), n->registry_.get());
  n->incident_core_ = std::make_unique<IncidentCore>(
      n->db_.get(), n->registry_.get(), n->incident_store_.get(), &n->feed_,
      n->recovery_.get(), &n->dispatcher_);
  n->agent_service_ = std::make_unique<AgentServiceImpl>(
      n->agent_core_.get(), n->incident_core_.get(), &n->dispatcher_,
      &n->metrics_, options.clock);
  n->query_service_ = std::make_unique<QueryServiceImpl>(
      n->query_core_.get(), n->incident_core_.get(), &n->feed_, &n->metrics_,
      options.clock);
  return n;
}

}  // namespace mfr::controller
