// Tests of the pmem report: fields, evidence and a deterministic id that
// changes after a clear.
#include "agent/pmem/pmem_report.h"

#include "agent/report/report_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

NewRange Range() {
  return {"pmem0",
          {1ull << 30, 512},
          mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS,
          "/sys/bus/nd/devices/region0/badblocks via namespace0.0",
          0};
}

TEST(ReportForNewRange, Fields) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  mfr::v1::CorruptRangeRequest r = ReportForNewRange("h1", Range(), now);
  EXPECT_EQ(r.host(), "h1");
  EXPECT_EQ(r.device(), "pmem0");
  EXPECT_EQ(r.range().offset_bytes(), 1ull << 30);
  EXPECT_EQ(r.range().length_bytes(), 512u);
  EXPECT_TRUE(r.length_exact());
  EXPECT_EQ(r.source(), mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS);
  EXPECT_EQ(r.kind(), mfr::v1::ERROR_KIND_POISON);
  EXPECT_EQ(r.observed().seconds(), 1700000000);
  EXPECT_THAT(r.evidence(),
              ::testing::ElementsAre(
                  "/sys/bus/nd/devices/region0/badblocks via namespace0.0: "
                  "pmem0 sectors 2097152+1 bad (0 earlier clears on pmem0)"));
  EXPECT_EQ(r.report_id(), report::ComputeReportId(r));
}

TEST(ReportForNewRange, IdIgnoresTimeButNotTheClearCountOrSource) {
  const std::string id =
      ReportForNewRange("h1", Range(), absl::UnixEpoch()).report_id();
  EXPECT_EQ(ReportForNewRange("h1", Range(), absl::Now()).report_id(), id);
  NewRange again = Range();
  again.clears = 1;
  EXPECT_NE(ReportForNewRange("h1", again, absl::UnixEpoch()).report_id(), id);
  NewRange ndctl = Range();
  ndctl.source = mfr::v1::ERROR_SOURCE_NDCTL;
  EXPECT_NE(ReportForNewRange("h1", ndctl, absl::UnixEpoch()).report_id(), id);
}

}  // namespace
}  // namespace mfr::agent::pmem
