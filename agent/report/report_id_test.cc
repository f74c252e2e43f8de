// Report ids: pinned values (computed independently with Python's
// hashlib over the documented encoding), one distinct id per changed
// field, and no change for the fields the id ignores.
#include "agent/report/report_id.h"

#include <functional>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::report {
namespace {

using mfr::v1::CorruptRangeRequest;

CorruptRangeRequest Base() {
  CorruptRangeRequest r;
  r.set_host("node-17");
  r.set_device("sdb");
  r.mutable_range()->set_offset_bytes(1048576);
  r.mutable_range()->set_length_bytes(4096);
  r.set_source(mfr::v1::ERROR_SOURCE_KMSG);
  r.set_kind(mfr::v1::ERROR_KIND_MEDIUM);
  r.add_evidence(
      "[ 1234.5678] critical medium error, dev sdb, sector 2048 op "
      "0x0:(READ) flags 0x80700 phys_seg 1 prio class 0");
  return r;
}

TEST(ReportIdTest, PinnedValuesStayStable) {
  // A change here is a wire change: old and new agents would no longer
  // deduplicate each other's reports.
  EXPECT_EQ(ComputeReportId(Base()), "912ef582101f1eb3d5a84edce537018e");
  EXPECT_EQ(ComputeReportId(CorruptRangeRequest()),
            "66e81974894a1f24196e9f0ab09bc68e");
}

TEST(ReportIdTest, IsLowerCaseHexOfFixedLength) {
  EXPECT_THAT(ComputeReportId(Base()), ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(ComputeReportId(Base()).size(), kReportIdChars);
}

struct Mutation {
  const char* name;
  std::function<void(CorruptRangeRequest*)> apply;
};

TEST(ReportIdTest, EveryIdentifyingFieldChangesTheId) {
  const Mutation kMutations[] = {
      {"host", [](auto* r) { r->set_host("node-18"); }},
      {"device", [](auto* r) { r->set_device("sdc"); }},
      {"offset",
       [](auto* r) { r->mutable_range()->set_offset_bytes(1052672); }},
      {"length", [](auto* r) { r->mutable_range()->set_length_bytes(8192); }},
      {"source",
       [](auto* r) { r->set_source(mfr::v1::ERROR_SOURCE_SCRUBBER); }},
      {"kind", [](auto* r) { r->set_kind(mfr::v1::ERROR_KIND_IO); }},
      {"evidence text", [](auto* r) { r->set_evidence(0, "other line"); }},
      {"extra evidence line", [](auto* r) { r->add_evidence("sense key"); }},
      {"no evidence", [](auto* r) { r->clear_evidence(); }},
      {"evidence order",
       [](auto* r) {
         r->add_evidence("second");
         r->mutable_evidence()->SwapElements(0, 1);
       }},
  };
  std::set<std::string> ids = {ComputeReportId(Base())};
  for (const Mutation& m : kMutations) {
    CorruptRangeRequest r = Base();
    m.apply(&r);
    EXPECT_TRUE(ids.insert(ComputeReportId(r)).second) << m.name;
  }
}

TEST(ReportIdTest, FieldBoundariesAreUnambiguous) {
  CorruptRangeRequest a, b;
  a.set_host("ab");
  a.set_device("c");
  b.set_host("a");
  b.set_device("bc");
  EXPECT_NE(ComputeReportId(a), ComputeReportId(b));
  a = b = CorruptRangeRequest();
  a.add_evidence("ab");
  a.add_evidence("c");
  b.add_evidence("a");
  b.add_evidence("bc");
  EXPECT_NE(ComputeReportId(a), ComputeReportId(b));
}

TEST(ReportIdTest, IgnoresTimeExactnessAndTheIdItself) {
  CorruptRangeRequest r = Base();
  r.mutable_observed()->set_seconds(1700000000);
  r.set_length_exact(true);
  r.set_report_id("whatever");
  EXPECT_EQ(ComputeReportId(r), ComputeReportId(Base()));
}

}  // namespace
}  // namespace mfr::agent::report
