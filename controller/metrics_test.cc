// The incident gauges follow incidents through their states and go down
// when an incident is resolved; counters and scrape-time facts appear in
// the exposition text.
#include "controller/metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller {
namespace {

using testing::HasSubstr;
using testing::Not;

mfr::v1::Incident Lost(const std::string& host) {
  mfr::v1::Incident i;
  i.set_host(host);
  i.set_state(mfr::v1::INCIDENT_STATE_DATA_LOST);
  i.set_severity(mfr::v1::SEVERITY_CRITICAL);
  auto* o = i.add_owners();
  o->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
  o->set_state(mfr::v1::INCIDENT_STATE_DATA_LOST);
  return i;
}

TEST(ControllerMetricsTest, IncidentGaugesGoDownWhenResolved) {
  ControllerMetrics metrics;
  mfr::v1::Incident open = Lost("h1");
  open.set_state(mfr::v1::INCIDENT_STATE_OPEN);
  open.mutable_owners(0)->set_state(mfr::v1::INCIDENT_STATE_OPEN);
  metrics.ChangeIncident(nullptr, open);
  const mfr::v1::Incident lost = Lost("h1");
  metrics.ChangeIncident(&open, lost);
  std::string text = metrics.Scrape();
  EXPECT_THAT(text, HasSubstr("mfr_controller_affected_files{host=\"h1\","
                              "state=\"data_lost\"} 1"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_affected_files{host=\"h1\","
                              "state=\"open\"} 0"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_incidents{host=\"h1\","
                              "severity=\"critical\",state=\"data_lost\"} 1"));

  mfr::v1::Incident resolved = lost;
  resolved.set_state(mfr::v1::INCIDENT_STATE_RESOLVED);
  metrics.ChangeIncident(&lost, resolved);
  text = metrics.Scrape();
  EXPECT_THAT(text, HasSubstr("mfr_controller_affected_files{host=\"h1\","
                              "state=\"data_lost\"} 0"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_affected_files{host=\"h1\","
                              "state=\"resolved\"} 1"));
}

TEST(ControllerMetricsTest, CountersAndScrapeFacts) {
  ControllerMetrics metrics;
  mfr::v1::CorruptRangeRequest report;
  report.set_source(mfr::v1::ERROR_SOURCE_KMSG);
  report.set_kind(mfr::v1::ERROR_KIND_IO);
  metrics.CountReport(report, false);
  metrics.CountReport(report, true);
  mfr::v1::Action action;
  action.mutable_rewrite();
  mfr::v1::ActionResult result;
  result.set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  metrics.CountActionResult(action, result, absl::Milliseconds(30));
  metrics.CountRequest("GetIncident", grpc::Status::OK, absl::Microseconds(80));
  metrics.SetScrapeSource([] {
    ScrapeFacts facts;
    facts.hosts.push_back({"h1", 1000, 900});
    facts.agents_connected = 1;
    return facts;
  });
  const std::string text = metrics.Scrape();
  EXPECT_THAT(text,
              HasSubstr("mfr_controller_reports_received_total{kind=\"io\","
                        "source=\"kmsg\"} 1"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_reports_deduplicated_total 1"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_actions_total{action=\"rewrite\","
                              "outcome=\"done\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("mfr_controller_action_dispatch_latency_seconds_count"
                        "{action=\"rewrite\"} 1"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_grpc_request_duration_seconds_"
                              "count{method=\"GetIncident\"} 1"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_agents_connected 1"));
  EXPECT_THAT(text, HasSubstr("mfr_controller_host_oldest_snapshot_timestamp_"
                              "seconds{host=\"h1\"} 900"));
  EXPECT_THAT(text, Not(HasSubstr("inode")));
}

}  // namespace
}  // namespace mfr::controller
