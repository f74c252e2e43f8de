// The agent's metrics: counters follow the detector's cumulative values
// (never backwards), reports are labelled by source and kind, actions by
// kind and outcome.
#include "agent/agent_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent {
namespace {

using testing::HasSubstr;

TEST(AgentMetricsTest, SyncAdvancesCountersAndSetsGauges) {
  AgentMetrics metrics;
  DetectorCounters detector;
  sources::KmsgReaderCounters reader;
  report::OutboxStats outbox;
  reader.records = 10;
  reader.overruns = 1;
  detector.not_kernel = 2;
  outbox.depth = 3;
  outbox.max_entries = 10000;
  outbox.oldest_age = absl::Seconds(42);
  metrics.SyncDetection(detector, reader, 0, outbox);
  reader.records = 15;
  metrics.SyncDetection(detector, reader, 1, outbox);
  const std::string text = metrics.Scrape();
  EXPECT_THAT(text, HasSubstr("mfr_agent_kmsg_records_total 15"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_kmsg_overruns_total 1"));
  EXPECT_THAT(
      text, HasSubstr("mfr_agent_kmsg_ignored_total{reason=\"not_kernel\"} 2"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_outbox_reports 3"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_outbox_capacity_reports 10000"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_outbox_oldest_age_seconds 42"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_pmem_badblocks_cleared_total 1"));
}

TEST(AgentMetricsTest, ReportsActionsAndSnapshots) {
  AgentMetrics metrics;
  mfr::v1::CorruptRangeRequest report;
  report.set_source(mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS);
  report.set_kind(mfr::v1::ERROR_KIND_POISON);
  metrics.CountReport(report);
  mfr::v1::Action action;
  action.mutable_kill_mappers();
  mfr::v1::ActionResult result;
  result.set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  result.add_processes()->set_signalled(true);
  result.add_lost_file_ranges()->set_length_bytes(4096);
  metrics.CountAction(action, result);
  metrics.SnapshotDone("loop0", absl::Milliseconds(1500), 1234,
                       absl::FromUnixSeconds(1000));
  metrics.SetControllerConnected(true);
  const std::string text = metrics.Scrape();
  EXPECT_THAT(text, HasSubstr("mfr_agent_reports_total{kind=\"poison\","
                              "source=\"pmem_badblocks\"} 1"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_actions_total{action=\"kill_mappers\","
                              "outcome=\"done\"} 1"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_processes_killed_total 1"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_lost_bytes_total 4096"));
  EXPECT_THAT(text,
              HasSubstr("mfr_agent_snapshot_records{device=\"loop0\"} 1234"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_snapshot_last_success_timestamp_"
                              "seconds{device=\"loop0\"} 1000"));
  EXPECT_THAT(text, HasSubstr("mfr_agent_controller_connected 1"));
}

}  // namespace
}  // namespace mfr::agent
