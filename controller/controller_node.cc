#include "controller/controller_node.h"

#include <iostream>

#include "common/proto_time.h"

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
      n->recovery_.get(), &n->dispatcher_, &n->metrics_);
  if (auto s = n->incident_core_->LoadMetrics(); !s.ok()) return s;
  n->incident_queries_ =
      std::make_unique<IncidentQueries>(n->incident_store_.get());
  ControllerNode* node = n.get();
  n->metrics_.SetScrapeSource(
      [node, clock = options.clock] { return node->ScrapeFacts(clock()); });
  n->agent_service_ = std::make_unique<AgentServiceImpl>(
      n->agent_core_.get(), n->incident_core_.get(), &n->dispatcher_,
      &n->metrics_, options.clock);
  n->query_service_ = std::make_unique<QueryServiceImpl>(
      n->query_core_.get(), n->incident_queries_.get(), n->incident_core_.get(),
      &n->feed_, &n->metrics_, options.clock);
  return n;
}

ScrapeFacts ControllerNode::ScrapeFacts(absl::Time now) const {
  struct ScrapeFacts facts;
  auto hosts = query_core_->ListHosts(now);
  if (hosts.ok()) {
    for (const auto& h : hosts->hosts()) {
      ScrapeFacts::Host host;
      host.host = h.host();
      host.last_seen_seconds = absl::ToDoubleSeconds(
          FromProtoTime(h.last_seen()) - absl::UnixEpoch());
      for (const auto& fs : h.filesystems()) {
        if (!fs.has_snapshot_taken()) continue;
        const double taken = absl::ToDoubleSeconds(
            FromProtoTime(fs.snapshot_taken()) - absl::UnixEpoch());
        if (host.oldest_snapshot_seconds == 0 ||
            taken < host.oldest_snapshot_seconds) {
          host.oldest_snapshot_seconds = taken;
        }
      }
      facts.hosts.push_back(host);
    }
  }
  facts.agents_connected = static_cast<int>(dispatcher_.ConnectedCount());
  uint64_t value = 0;
  if (db_->raw()->GetAggregatedIntProperty("rocksdb.live-sst-files-size",
                                           &value)) {
    facts.rocksdb_size_bytes = static_cast<double>(value);
  }
  if (db_->raw()->GetAggregatedIntProperty("rocksdb.is-write-stopped",
                                           &value)) {
    facts.rocksdb_write_stopped = value != 0;
  }
  return facts;
}

}  // namespace mfr::controller
