// The agent's Prometheus metrics (deploy/METRICS.md). Thread-safe
// (prometheus-cpp); the detection loop syncs its cumulative counters with
// SyncDetection from its one thread.
#ifndef MFR_AGENT_AGENT_METRICS_H_
#define MFR_AGENT_AGENT_METRICS_H_

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/detector.h"
#include "agent/report/outbox.h"
#include "mfr/v1/types.pb.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace mfr::agent {

class AgentMetrics {
 public:
  AgentMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // A report entered the outbox.
  void CountReport(const mfr::v1::CorruptRangeRequest& report);
  // Moves the counters to the detector's, reader's and pmem watcher's
  // cumulative values and sets the outbox gauges.
  void SyncDetection(const DetectorCounters& detector,
                     const sources::KmsgReaderCounters& reader,
                     uint64_t pmem_cleared, const report::OutboxStats& outbox);
  void SnapshotDone(const std::string& device, absl::Duration took,
                    uint64_t records, absl::Time now);
  void SnapshotFailed(const std::string& device);
  // An action this agent ran (not a journal replay).
  void CountAction(const mfr::v1::Action& action,
                   const mfr::v1::ActionResult& result);
  void SetControllerConnected(bool connected);

  std::string Scrape() const;  // for tests

 private:
  // Increments `counter` by how far `now` is past `*last`.
  static void Advance(prometheus::Counter& counter, uint64_t now,
                      uint64_t* last);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& reports_;
  prometheus::Counter& kmsg_records_;
  prometheus::Counter& kmsg_malformed_;
  prometheus::Counter& kmsg_overruns_;
  prometheus::Family<prometheus::Counter>& ignored_;
  prometheus::Gauge& outbox_reports_;
  prometheus::Gauge& outbox_capacity_;
  prometheus::Gauge& outbox_oldest_;
  prometheus::Counter& outbox_refused_;
  prometheus::Family<prometheus::Gauge>& snapshot_seconds_;
  prometheus::Family<prometheus::Gauge>& snapshot_records_;
  prometheus::Family<prometheus::Gauge>& snapshot_time_;
  prometheus::Family<prometheus::Counter>& snapshot_failures_;
  prometheus::Family<prometheus::Counter>& actions_;
  prometheus::Counter& killed_;
  prometheus::Counter& rewritten_;
  prometheus::Counter& lost_;
  prometheus::Gauge& connected_;
  prometheus::Counter& pmem_cleared_;

  absl::Mutex mu_;  // the last synced cumulative values
  struct Last {
    uint64_t records = 0, malformed = 0, overruns = 0, not_kernel = 0,
             corrected = 0, non_media = 0, not_pmem = 0, refused = 0,
             cleared = 0;
  } last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mfr::agent

#endif  // MFR_AGENT_AGENT_METRICS_H_
