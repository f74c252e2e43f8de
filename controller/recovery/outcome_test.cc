// Table tests: owner and incident states from action results.
#include "controller/recovery/outcome.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::recovery {
namespace {

using mfr::v1::ActionOutcome;
using mfr::v1::Incident;
using mfr::v1::IncidentState;

struct Span {
  uint64_t offset, length;
};

mfr::v1::OwnerExtent FileOwner(uint64_t inode) {
  mfr::v1::OwnerExtent o;
  o.set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
  o.set_inode(inode);
  o.set_mount_point("/d");
  o.mutable_file_range()->set_offset_bytes(0);
  o.mutable_file_range()->set_length_bytes(8192);
  return o;
}

// A rewrite of inode `inode` bytes 0+8192 with a result (or none when
// outcome is UNSPECIFIED).
void AddRewrite(Incident* incident, uint64_t inode, ActionOutcome outcome,
                std::vector<Span> saved, std::vector<Span> lost) {
  auto* record = incident->add_actions();
  auto* target = record->mutable_action()->mutable_rewrite()->mutable_target();
  target->set_mount_point("/d");
  target->set_inode(inode);
  target->mutable_file_range()->set_offset_bytes(0);
  target->mutable_file_range()->set_length_bytes(8192);
  if (outcome == mfr::v1::ACTION_OUTCOME_UNSPECIFIED) return;
  auto* result = record->mutable_result();
  result->set_outcome(outcome);
  for (Span s : saved) {
    auto* r = result->add_recovered_file_ranges();
    r->set_offset_bytes(s.offset);
    r->set_length_bytes(s.length);
  }
  for (Span s : lost) {
    auto* r = result->add_lost_file_ranges();
    r->set_offset_bytes(s.offset);
    r->set_length_bytes(s.length);
  }
}

TEST(OutcomeTest, FileOwnerStates) {
  struct Case {
    const char* name;
    ActionOutcome outcome;
    std::vector<Span> saved, lost;
    IncidentState want;
  };
  const Case kCases[] = {
      {"no result yet",
       mfr::v1::ACTION_OUTCOME_UNSPECIFIED,
       {},
       {},
       mfr::v1::INCIDENT_STATE_OPEN},
      {"all rewritten",
       mfr::v1::ACTION_OUTCOME_DONE,
       {{0, 8192}},
       {},
       mfr::v1::INCIDENT_STATE_RECOVERED},
      {"nothing cached",
       mfr::v1::ACTION_OUTCOME_DONE,
       {},
       {{0, 8192}},
       mfr::v1::INCIDENT_STATE_DATA_LOST},
      {"half cached",
       mfr::v1::ACTION_OUTCOME_DONE,
       {{0, 4096}},
       {{4096, 4096}},
       mfr::v1::INCIDENT_STATE_PARTIALLY_RECOVERED},
      {"stale",
       mfr::v1::ACTION_OUTCOME_STALE,
       {},
       {},
       mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION},
      {"failed",
       mfr::v1::ACTION_OUTCOME_FAILED,
       {},
       {},
       mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION},
      {"dry run: what would be lost is not loss yet",
       mfr::v1::ACTION_OUTCOME_DRY_RUN,
       {},
       {{0, 8192}},
       mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION},
      {"saved only part, nothing said lost",
       mfr::v1::ACTION_OUTCOME_DONE,
       {{0, 4096}},
       {},
       mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION},
  };
  for (const Case& c : kCases) {
    Incident incident;
    incident.set_state(mfr::v1::INCIDENT_STATE_OPEN);
    *incident.add_owners() = FileOwner(5);
    AddRewrite(&incident, 5, c.outcome, c.saved, c.lost);
    DeriveOutcome(&incident);
    EXPECT_EQ(incident.owners(0).state(), c.want) << c.name;
    EXPECT_EQ(incident.state(), c.want) << c.name;
  }
}

TEST(OutcomeTest, IncidentStateIsTheWorstOwner) {
  Incident incident;
  *incident.add_owners() = FileOwner(5);
  *incident.add_owners() = FileOwner(6);
  mfr::v1::OwnerExtent metadata;
  metadata.set_kind(mfr::v1::OWNER_KIND_METADATA);
  metadata.set_mount_point("/d");
  *incident.add_owners() = metadata;
  AddRewrite(&incident, 5, mfr::v1::ACTION_OUTCOME_DONE, {{0, 8192}}, {});
  AddRewrite(&incident, 6, mfr::v1::ACTION_OUTCOME_DONE, {}, {{0, 100}});
  incident.add_actions()->mutable_action()->mutable_scrub()->set_mount_point(
      "/d");
  DeriveOutcome(&incident);
  EXPECT_EQ(incident.state(), mfr::v1::INCIDENT_STATE_OPEN);  // scrub pending
  incident.mutable_actions(2)->mutable_result()->set_outcome(
      mfr::v1::ACTION_OUTCOME_DONE);
  DeriveOutcome(&incident);
  EXPECT_EQ(incident.owners(0).state(), mfr::v1::INCIDENT_STATE_RECOVERED);
  EXPECT_EQ(incident.owners(1).state(), mfr::v1::INCIDENT_STATE_DATA_LOST);
  ASSERT_EQ(incident.owners(1).lost_file_ranges_size(), 1);
  EXPECT_EQ(incident.owners(1).lost_file_ranges(0).length_bytes(), 100u);
  EXPECT_EQ(incident.owners(2).state(),
            mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION);
  EXPECT_EQ(incident.state(), mfr::v1::INCIDENT_STATE_PARTIALLY_RECOVERED);
}

TEST(OutcomeTest, NothingToSaveAndNothingMapped) {
  Incident free_only;
  mfr::v1::OwnerExtent free_space;
  free_space.set_kind(mfr::v1::OWNER_KIND_FREE_SPACE);
  *free_only.add_owners() = free_space;
  DeriveOutcome(&free_only);
  EXPECT_EQ(free_only.state(), mfr::v1::INCIDENT_STATE_RECOVERED);

  Incident unmapped;  // no filesystem maps the range
  DeriveOutcome(&unmapped);
  EXPECT_EQ(unmapped.state(), mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION);
}

TEST(OutcomeTest, RepairableOwnerRecoveredByMdCheck) {
  Incident incident;
  auto owner = FileOwner(5);
  owner.set_repairable(true);
  *incident.add_owners() = owner;
  auto* record = incident.add_actions();
  record->mutable_action()->mutable_md_check()->set_array("md0");
  DeriveOutcome(&incident);
  EXPECT_EQ(incident.state(), mfr::v1::INCIDENT_STATE_OPEN);
  record->mutable_result()->set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  DeriveOutcome(&incident);
  EXPECT_EQ(incident.state(), mfr::v1::INCIDENT_STATE_RECOVERED);
}

TEST(OutcomeTest, OperatorStatesStay) {
  for (auto state : {mfr::v1::INCIDENT_STATE_ACKNOWLEDGED,
                     mfr::v1::INCIDENT_STATE_RESOLVED}) {
    Incident incident;
    incident.set_state(state);
    *incident.add_owners() = FileOwner(5);
    AddRewrite(&incident, 5, mfr::v1::ACTION_OUTCOME_DONE, {}, {{0, 8192}});
    DeriveOutcome(&incident);
    EXPECT_EQ(incident.state(), state);
    EXPECT_EQ(incident.owners(0).state(), mfr::v1::INCIDENT_STATE_DATA_LOST);
  }
}

TEST(OutcomeTest, DescribeNamesPidsAndRanges) {
  mfr::v1::Action action;
  action.set_id("inc-1.1");
  mfr::v1::ActionResult result;
  result.set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  auto* p = result.add_processes();
  p->set_pid(42);
  p->set_command("db");
  p->set_mapping("7f00-7f10 r--s 00000000 07:00 131 /d/a");
  p->set_signalled(true);
  auto* lost = result.add_lost_file_ranges();
  lost->set_offset_bytes(0);
  lost->set_length_bytes(4096);
  const std::string line = DescribeResult(action, result);
  EXPECT_THAT(line, testing::HasSubstr("signalled pid 42 (db)"));
  EXPECT_THAT(line, testing::HasSubstr("lost file bytes 0+4096"));
  EXPECT_THAT(line, testing::HasSubstr("ACTION_OUTCOME_DONE"));
}

}  // namespace
}  // namespace mfr::controller::recovery
