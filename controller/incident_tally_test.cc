#include "controller/incident_tally.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller {
namespace {

mfr::v1::OwnerExtent Owner(mfr::v1::OwnerKind kind,
                           mfr::v1::IncidentState state) {
  mfr::v1::OwnerExtent o;
  o.set_kind(kind);
  o.set_state(state);
  return o;
}

TEST(IncidentTallyTest, CountsOwnersByTheirOwnState) {
  mfr::v1::Incident i;
  i.set_host("h1");
  i.set_state(mfr::v1::INCIDENT_STATE_PARTIALLY_RECOVERED);
  i.set_severity(mfr::v1::SEVERITY_CRITICAL);
  *i.add_owners() =
      Owner(mfr::v1::OWNER_KIND_FILE_DATA, mfr::v1::INCIDENT_STATE_DATA_LOST);
  *i.add_owners() =
      Owner(mfr::v1::OWNER_KIND_FILE_DATA, mfr::v1::INCIDENT_STATE_RECOVERED);
  *i.add_owners() = Owner(mfr::v1::OWNER_KIND_METADATA,
                          mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION);
  *i.add_owners() =
      Owner(mfr::v1::OWNER_KIND_FREE_SPACE, mfr::v1::INCIDENT_STATE_RECOVERED);
  IncidentTally t = TallyOf(i);
  EXPECT_EQ(t.host, "h1");
  EXPECT_EQ(t.state, "partially_recovered");
  EXPECT_EQ(t.severity, "critical");
  EXPECT_EQ(t.files,
            (std::map<std::string, int>{{"data_lost", 1}, {"recovered", 1}}));
  EXPECT_EQ(t.metadata, (std::map<std::string, int>{{"needs_attention", 1}}));
  EXPECT_FALSE(t.unmapped);

  i.set_state(mfr::v1::INCIDENT_STATE_RESOLVED);  // closes every owner
  t = TallyOf(i);
  EXPECT_EQ(t.files, (std::map<std::string, int>{{"resolved", 2}}));
}

TEST(IncidentTallyTest, UnmappedUntilResolved) {
  mfr::v1::Incident i;
  i.set_state(mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION);
  EXPECT_TRUE(TallyOf(i).unmapped);  // no filesystem maps it
  *i.add_owners() = Owner(mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT,
                          mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION);
  EXPECT_TRUE(TallyOf(i).unmapped);
  i.set_state(mfr::v1::INCIDENT_STATE_RESOLVED);
  EXPECT_FALSE(TallyOf(i).unmapped);
}

}  // namespace
}  // namespace mfr::controller
