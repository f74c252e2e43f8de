// Table tests: every row of DESIGN.md's "Recovery by mapping mode", shared
// (reflink) owners, a range over data and metadata, the policy switches and
// replanning over an incident's history.
#include "controller/recovery/planner.h"

#include <csignal>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller::recovery {
namespace {

using mfr::v1::Incident;
using mfr::v1::OwnerExtent;

OwnerExtent File(uint64_t inode, const std::string& path, uint64_t file_off,
                 uint64_t len, uint64_t dev_off,
                 const std::string& mount = "/d") {
  OwnerExtent o;
  o.set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
  o.set_inode(inode);
  o.add_paths(path);
  o.mutable_file_range()->set_offset_bytes(file_off);
  o.mutable_file_range()->set_length_bytes(len);
  o.mutable_device_range()->set_offset_bytes(dev_off);
  o.mutable_device_range()->set_length_bytes(len);
  o.set_mount_point(mount);
  return o;
}

OwnerExtent Other(mfr::v1::OwnerKind kind, const std::string& mount = "/d") {
  OwnerExtent o;
  o.set_kind(kind);
  o.set_mount_point(mount);
  o.mutable_device_range()->set_offset_bytes(0);
  o.mutable_device_range()->set_length_bytes(4096);
  return o;
}

// One action as a compact string: kind, target, flags.
std::string Show(const mfr::v1::Action& a) {
  std::string s;
  auto target = [](const mfr::v1::FileRangeTarget& t) {
    return absl::StrCat(
        t.mount_point(), ":", t.path(), "@", t.file_range().offset_bytes(), "+",
        t.file_range().length_bytes(), "/dev", t.device_range().offset_bytes());
  };
  if (a.has_kill_mappers()) {
    s = absl::StrCat("kill ", target(a.kill_mappers().target()), " sig",
                     a.kill_mappers().signal());
  } else if (a.has_rewrite()) {
    s = absl::StrCat("rewrite ", target(a.rewrite().target()));
    if (a.rewrite().kill_lost_mappers_signal() != 0) {
      absl::StrAppend(&s, " killlost", a.rewrite().kill_lost_mappers_signal());
    }
  } else if (a.has_scrub()) {
    s = absl::StrCat("scrub ", a.scrub().mount_point());
  } else if (a.has_md_check()) {
    s = absl::StrCat("md_check ", a.md_check().array());
  } else if (a.has_refresh_snapshot()) {
    s = absl::StrCat("refresh ", a.refresh_snapshot().mount_point());
  }
  if (a.dry_run()) absl::StrAppend(&s, " dry");
  return s;
}

std::vector<std::string> Shown(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.actions) out.push_back(Show(a));
  return out;
}

Incident WithOwners(std::vector<OwnerExtent> owners) {
  Incident i;
  i.set_id("inc-7");
  i.set_host("h1");
  for (auto& o : owners) *i.add_owners() = std::move(o);
  return i;
}

HostContext Dax(mfr::v1::DaxMode mode) {
  HostContext h;
  h.dax_by_mount["/d"] = mode;
  return h;
}

TEST(PlannerTest, RecoveryTableRows) {
  const int kBus = SIGBUS;
  struct Case {
    const char* name;
    std::vector<OwnerExtent> owners;
    mfr::v1::DaxMode dax;
    std::vector<std::string> want;
  };
  OwnerExtent repairable = File(5, "a", 0, 4096, 8192);
  repairable.set_repairable(true);
  OwnerExtent unwritten = File(5, "a", 0, 4096, 8192);
  unwritten.set_unwritten(true);
  const Case kCases[] = {
      {"DAX file: kill its mappers",
       {File(5, "a", 4096, 4096, 8192)},
       mfr::v1::DAX_MODE_ALWAYS,
       {absl::StrCat("kill /d:a@4096+4096/dev8192 sig", kBus)}},
      {"page-cache file: rewrite (resident) / lost (not resident)",
       {File(5, "a", 4096, 4096, 8192)},
       mfr::v1::DAX_MODE_NEVER,
       {"rewrite /d:a@4096+4096/dev8192"}},
      {"no dax option known: page cache",
       {File(5, "a", 0, 512, 0)},
       mfr::v1::DAX_MODE_UNSPECIFIED,
       {"rewrite /d:a@0+512/dev0"}},
      {"dax=inode: both, the agent decides live",
       {File(5, "a", 0, 4096, 0)},
       mfr::v1::DAX_MODE_INODE,
       {absl::StrCat("kill /d:a@0+4096/dev0 sig", kBus),
        "rewrite /d:a@0+4096/dev0"}},
      {"metadata: one read-only scrub per filesystem",
       {Other(mfr::v1::OWNER_KIND_METADATA),
        Other(mfr::v1::OWNER_KIND_EXTENT_MAP),
        Other(mfr::v1::OWNER_KIND_METADATA, "/e")},
       mfr::v1::DAX_MODE_NEVER,
       {"scrub /d", "scrub /e"}},
      {"in use, owner unknown (ext4): scrub",
       {Other(mfr::v1::OWNER_KIND_UNKNOWN)},
       mfr::v1::DAX_MODE_NEVER,
       {"scrub /d"}},
      {"free space: recorded only",
       {Other(mfr::v1::OWNER_KIND_FREE_SPACE)},
       mfr::v1::DAX_MODE_NEVER,
       {}},
      {"unwritten extent: no data", {unwritten}, mfr::v1::DAX_MODE_NEVER, {}},
      {"md leg with redundancy: md check",
       {repairable},
       mfr::v1::DAX_MODE_NEVER,
       {"md_check md0"}},
      {"not in the snapshot: refresh it",
       {Other(mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT)},
       mfr::v1::DAX_MODE_NEVER,
       {"refresh /d"}},
      {"reflink: every sharer gets its own action",
       {File(5, "a", 0, 4096, 8192), File(6, "b", 65536, 4096, 8192)},
       mfr::v1::DAX_MODE_NEVER,
       {"rewrite /d:a@0+4096/dev8192", "rewrite /d:b@65536+4096/dev8192"}},
      {"a range over data and metadata",
       {File(5, "a", 0, 4096, 0), Other(mfr::v1::OWNER_KIND_METADATA)},
       mfr::v1::DAX_MODE_NEVER,
       {"rewrite /d:a@0+4096/dev0", "scrub /d"}},
  };
  for (const Case& c : kCases) {
    Incident incident = WithOwners(c.owners);
    auto* step = incident.add_chain();
    step->set_device("md0");
    step->set_repairable(true);
    Plan plan = PlanRecovery(incident, Dax(c.dax), EffectivePolicy(), 10);
    EXPECT_THAT(Shown(plan), testing::ElementsAreArray(c.want)) << c.name;
    for (size_t i = 0; i < plan.actions.size(); ++i) {
      EXPECT_EQ(plan.actions[i].id(), absl::StrCat("inc-7.", i + 1));
      EXPECT_EQ(plan.actions[i].host(), "h1");
      EXPECT_EQ(plan.actions[i].incident_id(), "inc-7");
      EXPECT_FALSE(plan.actions[i].reason().empty()) << c.name;
    }
  }
}

TEST(PlannerTest, PolicySwitches) {
  struct Case {
    const char* name;
    mfr::v1::RecoveryPolicy policy;
    uint32_t budget;
    std::string host;
    std::vector<std::string> want;
    int notes;
  };
  auto policy = [](const char* text) { return *ParsePolicy(text); };
  const std::string kill = absl::StrCat("kill /d:a@0+4096/dev0 sig", SIGBUS);
  const Case kCases[] = {
      {"defaults", {}, 10, "h1", {kill, "rewrite /d:a@0+4096/dev0"}, 0},
      {"global dry run",
       policy("dry_run: true"),
       10,
       "h1",
       {kill + " dry", "rewrite /d:a@0+4096/dev0 dry"},
       0},
      {"kill disabled",
       policy("kill_mappers: ACTION_MODE_DISABLED"),
       10,
       "h1",
       {"rewrite /d:a@0+4096/dev0"},
       1},
      {"rewrite dry run",
       policy("rewrite: ACTION_MODE_DRY_RUN"),
       10,
       "h1",
       {kill, "rewrite /d:a@0+4096/dev0 dry"},
       0},
      {"SIGKILL and kill mappers of lost pages",
       policy(
           "kill_signal: KILL_SIGNAL_SIGKILL kill_mappers_of_lost_pages: true"),
       10,
       "h1",
       {absl::StrCat("kill /d:a@0+4096/dev0 sig", SIGKILL),
        absl::StrCat("rewrite /d:a@0+4096/dev0 killlost", SIGKILL)},
       0},
      {"kill rate limit reached: dry run",
       {},
       0,
       "h1",
       {kill + " dry", "rewrite /d:a@0+4096/dev0"},
       0},
      {"excluded host", policy("excluded_hosts: 'h1'"), 10, "h1", {}, 1},
      {"excluded relative prefix",
       policy("excluded_path_prefixes: 'a'"),
       10,
       "h1",
       {},
       1},
      {"excluded absolute prefix",
       policy("excluded_path_prefixes: '/d/a'"),
       10,
       "h1",
       {},
       1},
      {"other prefix",
       policy("excluded_path_prefixes: '/e/'"),
       10,
       "h1",
       {kill, "rewrite /d:a@0+4096/dev0"},
       0},
  };
  for (const Case& c : kCases) {
    Incident incident = WithOwners({File(5, "a", 0, 4096, 0)});
    Plan plan = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_INODE),
                             Effective(c.policy), c.budget);
    EXPECT_THAT(Shown(plan), testing::ElementsAreArray(c.want)) << c.name;
    EXPECT_EQ(static_cast<int>(plan.notes.size()), c.notes)
        << c.name << ": " << absl::StrJoin(plan.notes, " | ");
  }
}

TEST(PlannerTest, KillBudgetCountsDown) {
  Incident incident =
      WithOwners({File(5, "a", 0, 4096, 0), File(6, "b", 0, 4096, 4096),
                  File(7, "c", 0, 4096, 8192)});
  Plan plan = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_ALWAYS),
                           EffectivePolicy(), 2);
  ASSERT_EQ(plan.actions.size(), 3u);
  EXPECT_FALSE(plan.actions[0].dry_run());
  EXPECT_FALSE(plan.actions[1].dry_run());
  EXPECT_TRUE(plan.actions[2].dry_run());
  EXPECT_EQ(plan.kills, 2u);
}

TEST(PlannerTest, ReplanningAddsOnlyWhatIsNew) {
  Incident incident = WithOwners({File(5, "a", 0, 4096, 0)});
  Plan first = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                            EffectivePolicy(), 10);
  ASSERT_EQ(first.actions.size(), 1u);
  *incident.add_actions()->mutable_action() = first.actions[0];
  // Nothing new: nothing planned.
  EXPECT_TRUE(PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                           EffectivePolicy(), 10)
                  .actions.empty());
  // A merged report grew the owner to 0+12288: only the new part.
  *incident.mutable_owners(0) = File(5, "a", 0, 12288, 0);
  Plan second = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                             EffectivePolicy(), 10);
  EXPECT_THAT(Shown(second),
              testing::ElementsAre("rewrite /d:a@4096+8192/dev4096"));
  EXPECT_EQ(second.actions[0].id(), "inc-7.2");
}

TEST(PlannerTest, StaleOwnershipRefreshesButNeverActsOnAGuess) {
  Incident incident = WithOwners({File(5, "a", 0, 4096, 0)});
  auto* record = incident.add_actions();
  *record->mutable_action() =
      PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER), EffectivePolicy(),
                   10)
          .actions[0];
  record->mutable_result()->set_outcome(mfr::v1::ACTION_OUTCOME_STALE);
  // After the refresh, the range belongs to another file.
  *incident.mutable_owners(0) = File(9, "new", 0, 4096, 0);
  Plan plan = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                           EffectivePolicy(), 10);
  EXPECT_THAT(Shown(plan), testing::ElementsAre("refresh /d"));
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_THAT(plan.notes[0], testing::HasSubstr("operator"));
}

TEST(PlannerTest, RefreshesAreBounded) {
  Incident incident = WithOwners({Other(mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT)});
  for (int i = 0; i < kMaxRefreshesPerMount; ++i) {
    Plan plan = PlanRecovery(incident, HostContext(), EffectivePolicy(), 10);
    ASSERT_EQ(plan.actions.size(), 1u) << i;
    // Still pending: not planned again.
    auto* record = incident.add_actions();
    *record->mutable_action() = plan.actions[0];
    EXPECT_TRUE(PlanRecovery(incident, HostContext(), EffectivePolicy(), 10)
                    .actions.empty());
    record->mutable_result()->set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  }
  Plan plan = PlanRecovery(incident, HostContext(), EffectivePolicy(), 10);
  EXPECT_TRUE(plan.actions.empty());
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_THAT(plan.notes[0], testing::HasSubstr("giving up"));
}

}  // namespace
}  // namespace mfr::controller::recovery

namespace mfr::controller::recovery {
namespace {

TEST(PlannerTest, AnEstimatedRangeIsProbedBeforeAnythingElse) {
  Incident incident = WithOwners({File(5, "a", 0, 4096, 8192)});
  incident.set_device("loop3");
  incident.mutable_range()->set_offset_bytes(8192);
  incident.mutable_range()->set_length_bytes(512);
  incident.set_range_estimated(true);
  Plan plan = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                           EffectivePolicy(), 10);
  ASSERT_EQ(plan.actions.size(), 1u);
  ASSERT_TRUE(plan.actions[0].has_probe());
  EXPECT_EQ(plan.actions[0].probe().device(), "loop3");
  EXPECT_EQ(plan.actions[0].probe().range().offset_bytes(), 8192u);
  EXPECT_EQ(plan.actions[0].probe().range().length_bytes(), kProbeWindowBytes);

  auto* record = incident.add_actions();
  *record->mutable_action() = plan.actions[0];
  // Waiting for the probe: nothing else.
  EXPECT_TRUE(PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                           EffectivePolicy(), 10)
                  .actions.empty());
  // Every block read fine: nothing to recover.
  record->mutable_result()->set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  incident.set_range_estimated(false);
  Plan clean = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                            EffectivePolicy(), 10);
  EXPECT_TRUE(clean.actions.empty());
  ASSERT_EQ(clean.notes.size(), 1u);
  EXPECT_THAT(clean.notes[0], testing::HasSubstr("nothing to recover"));
  // It found the bad block (the controller narrowed the owners): act.
  auto* bad = record->mutable_result()->add_bad_device_ranges();
  bad->set_offset_bytes(8192);
  bad->set_length_bytes(512);
  Plan narrowed = PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                               EffectivePolicy(), 10);
  EXPECT_THAT(Shown(narrowed),
              testing::ElementsAre("rewrite /d:a@0+4096/dev8192"));
}

TEST(PlannerTest, ProbeDisabledActsOnTheEstimate) {
  Incident incident = WithOwners({File(5, "a", 0, 4096, 8192)});
  incident.set_range_estimated(true);
  Plan plan =
      PlanRecovery(incident, Dax(mfr::v1::DAX_MODE_NEVER),
                   Effective(*ParsePolicy("probe: ACTION_MODE_DISABLED")), 10);
  EXPECT_THAT(Shown(plan), testing::ElementsAre("rewrite /d:a@0+4096/dev8192"));
}

}  // namespace
}  // namespace mfr::controller::recovery
