#include "agent/agent_metrics.h"

#include "common/metric_labels.h"
#include "prometheus/text_serializer.h"

namespace mfr::agent {
namespace {

prometheus::Counter& PlainCounter(prometheus::Registry& r, const char* name,
                                  const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

prometheus::Gauge& PlainGauge(prometheus::Registry& r, const char* name,
                              const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
}

uint64_t Bytes(
    const google::protobuf::RepeatedPtrField<mfr::v1::ByteRange>& ranges) {
  uint64_t total = 0;
  for (const auto& r : ranges) total += r.length_bytes();
  return total;
}

}  // namespace

AgentMetrics::AgentMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      reports_(prometheus::BuildCounter()
                   .Name("mfr_agent_reports_total")
                   .Help("Damaged ranges put into the outbox.")
                   .Register(*registry_)),
      kmsg_records_(PlainCounter(*registry_, "mfr_agent_kmsg_records_total",
                                 "Kernel log records read.")),
      kmsg_malformed_(PlainCounter(*registry_,
                                   "mfr_agent_kmsg_parse_failures_total",
                                   "Malformed kernel log records.")),
      kmsg_overruns_(PlainCounter(*registry_, "mfr_agent_kmsg_overruns_total",
                                  "Records lost to the ring buffer (EPIPE).")),
      ignored_(prometheus::BuildCounter()
                   .Name("mfr_agent_kmsg_ignored_total")
                   .Help("Lines naming a range that are not reported.")
                   .Register(*registry_)),
      outbox_reports_(PlainGauge(*registry_, "mfr_agent_outbox_reports",
                                 "Reports waiting for the controller.")),
      outbox_capacity_(PlainGauge(*registry_,
                                  "mfr_agent_outbox_capacity_reports",
                                  "The outbox's bound.")),
      outbox_oldest_(PlainGauge(*registry_,
                                "mfr_agent_outbox_oldest_age_seconds",
                                "Age of the oldest waiting report.")),
      outbox_refused_(PlainCounter(*registry_, "mfr_agent_outbox_refused_total",
                                   "Reports refused: the outbox was full.")),
      snapshot_seconds_(prometheus::BuildGauge()
                            .Name("mfr_agent_snapshot_duration_seconds")
                            .Help("Duration of the last good snapshot.")
                            .Register(*registry_)),
      snapshot_records_(prometheus::BuildGauge()
                            .Name("mfr_agent_snapshot_records")
                            .Help("Records in the last good snapshot.")
                            .Register(*registry_)),
      snapshot_time_(
          prometheus::BuildGauge()
              .Name("mfr_agent_snapshot_last_success_timestamp_seconds")
              .Help("When the last snapshot was committed (unix seconds).")
              .Register(*registry_)),
      snapshot_failures_(prometheus::BuildCounter()
                             .Name("mfr_agent_snapshot_failures_total")
                             .Help("Failed snapshot uploads.")
                             .Register(*registry_)),
      actions_(prometheus::BuildCounter()
                   .Name("mfr_agent_actions_total")
                   .Help("Recovery actions run, by action and outcome.")
                   .Register(*registry_)),
      killed_(PlainCounter(*registry_, "mfr_agent_processes_killed_total",
                           "Processes signalled by kill actions.")),
      rewritten_(PlainCounter(*registry_, "mfr_agent_rewritten_bytes_total",
                              "Bytes written back from the page cache.")),
      lost_(PlainCounter(*registry_, "mfr_agent_lost_bytes_total",
                         "File bytes reported lost.")),
      connected_(PlainGauge(*registry_, "mfr_agent_controller_connected",
                            "1 while the Actions stream is open.")),
      pmem_cleared_(PlainCounter(*registry_,
                                 "mfr_agent_pmem_badblocks_cleared_total",
                                 "pmem bad ranges that disappeared.")) {}

void AgentMetrics::CountReport(const mfr::v1::CorruptRangeRequest& report) {
  reports_
      .Add({{"source", SourceLabel(report.source())},
            {"kind", KindLabel(report.kind())}})
      .Increment();
}

void AgentMetrics::Advance(prometheus::Counter& counter, uint64_t now,
                           uint64_t* last) {
  if (now > *last) counter.Increment(static_cast<double>(now - *last));
  *last = now;
}

void AgentMetrics::SyncDetection(const DetectorCounters& detector,
                                 const sources::KmsgReaderCounters& reader,
                                 uint64_t pmem_cleared,
                                 const report::OutboxStats& outbox) {
  absl::MutexLock lock(&mu_);
  Advance(kmsg_records_, reader.records, &last_.records);
  Advance(kmsg_malformed_, reader.malformed, &last_.malformed);
  Advance(kmsg_overruns_, reader.overruns, &last_.overruns);
  Advance(ignored_.Add({{"reason", "not_kernel"}}), detector.not_kernel,
          &last_.not_kernel);
  Advance(ignored_.Add({{"reason", "corrected"}}), detector.corrected,
          &last_.corrected);
  Advance(ignored_.Add({{"reason", "non_media"}}), detector.non_media,
          &last_.non_media);
  Advance(ignored_.Add({{"reason", "not_pmem"}}),
          detector.physical - detector.physical_pmem, &last_.not_pmem);
  Advance(outbox_refused_, outbox.refused_full, &last_.refused);
  Advance(pmem_cleared_, pmem_cleared, &last_.cleared);
  outbox_reports_.Set(static_cast<double>(outbox.depth));
  outbox_capacity_.Set(static_cast<double>(outbox.max_entries));
  outbox_oldest_.Set(absl::ToDoubleSeconds(outbox.oldest_age));
}

void AgentMetrics::SnapshotDone(const std::string& device, absl::Duration took,
                                uint64_t records, absl::Time now) {
  snapshot_seconds_.Add({{"device", device}}).Set(absl::ToDoubleSeconds(took));
  snapshot_records_.Add({{"device", device}}).Set(static_cast<double>(records));
  snapshot_time_.Add({{"device", device}})
      .Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
}

void AgentMetrics::SnapshotFailed(const std::string& device) {
  snapshot_failures_.Add({{"device", device}}).Increment();
}

void AgentMetrics::CountAction(const mfr::v1::Action& action,
                               const mfr::v1::ActionResult& result) {
  actions_
      .Add({{"action", ActionLabel(action)},
            {"outcome", OutcomeLabel(result.outcome())}})
      .Increment();
  if (result.outcome() != mfr::v1::ACTION_OUTCOME_DONE) return;
  for (const auto& p : result.processes()) {
    if (p.signalled()) killed_.Increment();
  }
  rewritten_.Increment(static_cast<double>(result.bytes_rewritten()));
  lost_.Increment(static_cast<double>(Bytes(result.lost_file_ranges())));
}

void AgentMetrics::SetControllerConnected(bool connected) {
  connected_.Set(connected ? 1 : 0);
}

std::string AgentMetrics::Scrape() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace mfr::agent
