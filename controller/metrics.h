// The controller's Prometheus metrics (deploy/METRICS.md). One instance,
// built by the composition root and handed to the services and cores;
// thread-safe (prometheus-cpp counters and gauges, a mutex for the
// incident tallies). Values that are cheaper to read when scraped (hosts,
// connected agents, RocksDB) come from a ScrapeSource the node provides.
#ifndef MFR_CONTROLLER_METRICS_H_
#define MFR_CONTROLLER_METRICS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "controller/incident_tally.h"
#include "grpcpp/support/status.h"
#include "mfr/v1/agent_service.pb.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace mfr::controller {

// Point-in-time facts read at scrape time.
struct ScrapeFacts {
  struct Host {
    std::string host;
    double last_seen_seconds = 0;        // unix time; 0 unknown
    double oldest_snapshot_seconds = 0;  // unix time; 0 no snapshot
  };
  std::vector<Host> hosts;
  int agents_connected = 0;
  double rocksdb_size_bytes = 0;
  bool rocksdb_write_stopped = false;
};

class ControllerMetrics {
 public:
  ControllerMetrics();

  // Everything to expose: the registry and the scrape-time collector.
  std::vector<std::weak_ptr<prometheus::Collectable>> collectables() const;
  void SetScrapeSource(std::function<ScrapeFacts()> source);

  // Counts one RPC by method and status code, and its latency.
  void CountRequest(const std::string& method, const grpc::Status& status,
                    absl::Duration elapsed);
  // Counts a committed snapshot upload.
  void CountSnapshot(uint64_t records, uint64_t segments);
  void CountReport(const mfr::v1::CorruptRangeRequest& report, bool duplicate);
  void CountActionResult(const mfr::v1::Action& action,
                         const mfr::v1::ActionResult& result,
                         absl::Duration since_planned);
  // Moves the incident gauges from `before` (nullptr: a new incident) to
  // `after`.
  void ChangeIncident(const mfr::v1::Incident* before,
                      const mfr::v1::Incident& after);
  void AddPendingActions(int64_t delta);

  // For tests: the text a scrape would return.
  std::string Scrape() const;

 private:
  class ScrapeCollector;
  void Apply(const IncidentTally& tally, double sign)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeCollector> scrape_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  prometheus::Counter& snapshots_;
  prometheus::Counter& snapshot_records_;
  prometheus::Counter& snapshot_segments_;
  prometheus::Family<prometheus::Counter>& reports_;
  prometheus::Counter& reports_deduplicated_;
  prometheus::Family<prometheus::Counter>& actions_;
  prometheus::Family<prometheus::Histogram>& dispatch_seconds_;
  prometheus::Gauge& actions_pending_;
  prometheus::Family<prometheus::Gauge>& incidents_;
  prometheus::Family<prometheus::Gauge>& affected_files_;
  prometheus::Family<prometheus::Gauge>& affected_metadata_;
  prometheus::Family<prometheus::Gauge>& unmapped_;
  absl::Mutex mu_;  // one incident change at a time moves the gauges
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_METRICS_H_
