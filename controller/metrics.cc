#include "controller/metrics.h"

#include "absl/status/status.h"
#include "prometheus/text_serializer.h"

namespace mfr::controller {
namespace {

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}

prometheus::ClientMetric Value(double v) {
  prometheus::ClientMetric m;
  m.gauge.value = v;
  return m;
}

prometheus::MetricFamily GaugeFamily(const std::string& name,
                                     const std::string& help) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = prometheus::MetricType::Gauge;
  return f;
}

}  // namespace

// Reads ScrapeFacts when Prometheus scrapes.
class ControllerMetrics::ScrapeCollector : public prometheus::Collectable {
 public:
  void Set(std::function<ScrapeFacts()> source) {
    absl::MutexLock lock(&mu_);
    source_ = std::move(source);
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::function<ScrapeFacts()> source;
    {
      absl::MutexLock lock(&mu_);
      source = source_;
    }
    if (!source) return {};
    const ScrapeFacts facts = source();
    auto hosts = GaugeFamily("mfr_controller_hosts", "Registered hosts.");
    hosts.metric.push_back(Value(static_cast<double>(facts.hosts.size())));
    auto agents = GaugeFamily("mfr_controller_agents_connected",
                              "Agents with an open Actions stream.");
    agents.metric.push_back(Value(facts.agents_connected));
    auto seen = GaugeFamily("mfr_controller_host_last_seen_timestamp_seconds",
                            "Last registration of the host (unix seconds).");
    auto snapshot = GaugeFamily(
        "mfr_controller_host_oldest_snapshot_timestamp_seconds",
        "When the host's oldest current snapshot was taken (unix seconds).");
    for (const auto& h : facts.hosts) {
      auto m = Value(h.last_seen_seconds);
      m.label.push_back({"host", h.host});
      seen.metric.push_back(m);
      if (h.oldest_snapshot_seconds > 0) {
        auto s = Value(h.oldest_snapshot_seconds);
        s.label.push_back({"host", h.host});
        snapshot.metric.push_back(s);
      }
    }
    auto size = GaugeFamily("mfr_controller_rocksdb_size_bytes",
                            "Live SST bytes of the database.");
    size.metric.push_back(Value(facts.rocksdb_size_bytes));
    auto stopped = GaugeFamily("mfr_controller_rocksdb_write_stopped",
                               "1 while RocksDB stops writes.");
    stopped.metric.push_back(Value(facts.rocksdb_write_stopped ? 1 : 0));
    return {hosts, agents, seen, snapshot, size, stopped};
  }

 private:
  mutable absl::Mutex mu_;
  std::function<ScrapeFacts()> source_;
};

ControllerMetrics::ControllerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      scrape_(std::make_shared<ScrapeCollector>()),
      requests_(prometheus::BuildCounter()
                    .Name("mfr_controller_grpc_requests_total")
                    .Help("gRPC requests handled, by method and status code.")
                    .Register(*registry_)),
      request_seconds_(prometheus::BuildHistogram()
                           .Name("mfr_controller_grpc_request_duration_seconds")
                           .Help("gRPC request latency by method.")
                           .Register(*registry_)),
      snapshots_(prometheus::BuildCounter()
                     .Name("mfr_controller_snapshots_committed_total")
                     .Help("Filesystem snapshots committed.")
                     .Register(*registry_)
                     .Add({})),
      snapshot_records_(prometheus::BuildCounter()
                            .Name("mfr_controller_snapshot_records_total")
                            .Help("Reverse-map records ingested.")
                            .Register(*registry_)
                            .Add({})),
      snapshot_segments_(prometheus::BuildCounter()
                             .Name("mfr_controller_snapshot_segments_total")
                             .Help("Disjoint segments stored.")
                             .Register(*registry_)
                             .Add({})),
      reports_(prometheus::BuildCounter()
                   .Name("mfr_controller_reports_received_total")
                   .Help("CorruptRange reports accepted, by source and kind.")
                   .Register(*registry_)),
      reports_deduplicated_(
          prometheus::BuildCounter()
              .Name("mfr_controller_reports_deduplicated_total")
              .Help("Reports whose id was seen before.")
              .Register(*registry_)
              .Add({})),
      actions_(prometheus::BuildCounter()
                   .Name("mfr_controller_actions_total")
                   .Help("Recovery action results, by action and outcome.")
                   .Register(*registry_)),
      dispatch_seconds_(
          prometheus::BuildHistogram()
              .Name("mfr_controller_action_dispatch_latency_seconds")
              .Help("From an action being planned to its result.")
              .Register(*registry_)),
      actions_pending_(prometheus::BuildGauge()
                           .Name("mfr_controller_actions_pending")
                           .Help("Actions in the outbox without a result.")
                           .Register(*registry_)
                           .Add({})),
      incidents_(prometheus::BuildGauge()
                     .Name("mfr_controller_incidents")
                     .Help("Incidents by host, state and severity.")
                     .Register(*registry_)),
      affected_files_(prometheus::BuildGauge()
                          .Name("mfr_controller_affected_files")
                          .Help("File owners of incidents by their state.")
                          .Register(*registry_)),
      affected_metadata_(
          prometheus::BuildGauge()
              .Name("mfr_controller_affected_metadata")
              .Help("Filesystem-metadata owners of incidents by state.")
              .Register(*registry_)),
      unmapped_(prometheus::BuildGauge()
                    .Name("mfr_controller_unmapped_incidents")
                    .Help("Unresolved incidents nothing explains.")
                    .Register(*registry_)) {}

std::vector<std::weak_ptr<prometheus::Collectable>>
ControllerMetrics::collectables() const {
  return {registry_, scrape_};
}

void ControllerMetrics::SetScrapeSource(std::function<ScrapeFacts()> source) {
  scrape_->Set(std::move(source));
}

void ControllerMetrics::CountRequest(const std::string& method,
                                     const grpc::Status& status,
                                     absl::Duration elapsed) {
  requests_
      .Add({{"method", method},
            {"code", absl::StatusCodeToString(
                         static_cast<absl::StatusCode>(status.error_code()))}})
      .Increment();
  request_seconds_.Add({{"method", method}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(elapsed));
}

void ControllerMetrics::CountSnapshot(uint64_t records, uint64_t segments) {
  snapshots_.Increment();
  snapshot_records_.Increment(static_cast<double>(records));
  snapshot_segments_.Increment(static_cast<double>(segments));
}

void ControllerMetrics::CountReport(const mfr::v1::CorruptRangeRequest& report,
                                    bool duplicate) {
  if (duplicate) {
    reports_deduplicated_.Increment();
    return;
  }
  reports_
      .Add({{"source", SourceLabel(report.source())},
            {"kind", KindLabel(report.kind())}})
      .Increment();
}

void ControllerMetrics::CountActionResult(const mfr::v1::Action& action,
                                          const mfr::v1::ActionResult& result,
                                          absl::Duration since_planned) {
  actions_
      .Add({{"action", ActionLabel(action)},
            {"outcome", OutcomeLabel(result.outcome())}})
      .Increment();
  dispatch_seconds_.Add({{"action", ActionLabel(action)}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(since_planned));
}

void ControllerMetrics::AddPendingActions(int64_t delta) {
  actions_pending_.Increment(static_cast<double>(delta));
}

void ControllerMetrics::Apply(const IncidentTally& t, double sign) {
  incidents_
      .Add({{"host", t.host}, {"state", t.state}, {"severity", t.severity}})
      .Increment(sign);
  for (const auto& [state, n] : t.files) {
    affected_files_.Add({{"host", t.host}, {"state", state}})
        .Increment(sign * n);
  }
  for (const auto& [state, n] : t.metadata) {
    affected_metadata_.Add({{"host", t.host}, {"state", state}})
        .Increment(sign * n);
  }
  unmapped_.Add({{"host", t.host}}).Increment(t.unmapped ? sign : 0);
}

void ControllerMetrics::ChangeIncident(const mfr::v1::Incident* before,
                                       const mfr::v1::Incident& after) {
  absl::MutexLock lock(&mu_);
  if (before != nullptr) Apply(TallyOf(*before), -1);
  Apply(TallyOf(after), +1);
}

std::string ControllerMetrics::Scrape() const {
  std::vector<prometheus::MetricFamily> all = registry_->Collect();
  for (auto& f : scrape_->Collect()) all.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(all);
}

}  // namespace mfr::controller
