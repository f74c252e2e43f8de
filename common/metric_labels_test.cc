#include "common/metric_labels.h"

#include "gtest/gtest.h"

namespace mfr {
namespace {

TEST(MetricLabelsTest, LowerCaseWordsWithoutPrefix) {
  EXPECT_EQ(SourceLabel(mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS),
            "pmem_badblocks");
  EXPECT_EQ(KindLabel(mfr::v1::ERROR_KIND_MD_UNCORRECTABLE),
            "md_uncorrectable");
  EXPECT_EQ(OutcomeLabel(mfr::v1::ACTION_OUTCOME_NOT_APPLICABLE),
            "not_applicable");
  mfr::v1::Action a;
  a.mutable_refresh_snapshot();
  EXPECT_EQ(ActionLabel(a), "refresh_snapshot");
  EXPECT_EQ(ActionLabel(mfr::v1::Action()), "unspecified");
  EXPECT_EQ(StateLabel(mfr::v1::INCIDENT_STATE_DATA_LOST), "data_lost");
  EXPECT_EQ(SeverityLabel(mfr::v1::SEVERITY_CRITICAL), "critical");
}

}  // namespace
}  // namespace mfr
