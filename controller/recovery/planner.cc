#include "controller/recovery/planner.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/byte_range.h"
#include "common/proto_range.h"
#include "controller/recovery/outcome.h"

namespace mfr::controller::recovery {
namespace {

using mfr::v1::Action;
using mfr::v1::OwnerExtent;

std::string MountOf(const Action& a) {
  if (const auto* t = FileTargetOf(a)) return t->mount_point();
  if (a.has_scrub()) return a.scrub().mount_point();
  if (a.has_refresh_snapshot()) return a.refresh_snapshot().mount_point();
  return "";
}

std::string OwnerName(const OwnerExtent& o) {
  const std::string path =
      o.paths().empty() ? absl::StrCat("inode ", o.inode()) : o.paths(0);
  return absl::StrCat(o.mount_point(), ":", path, " bytes ",
                      o.file_range().offset_bytes(), "+",
                      o.file_range().length_bytes());
}

// What the incident already has, so replanning only adds what is new.
struct History {
  std::map<std::pair<std::string, uint64_t>, std::vector<ByteSpan>> file_ranges;
  std::set<std::string> scrubbed_mounts;
  std::set<std::string> checked_arrays;
  std::map<std::string, int> refreshes;     // per mount
  std::map<std::string, int> stale;         // STALE results per mount
  std::set<std::string> pending_refreshes;  // refresh without result yet
};

History HistoryOf(const mfr::v1::Incident& incident) {
  History h;
  for (const auto& record : incident.actions()) {
    const Action& a = record.action();
    if (const auto* t = FileTargetOf(a)) {
      h.file_ranges[{t->mount_point(), t->inode()}].push_back(
          SpanOf(t->file_range()));
    }
    if (a.has_scrub()) h.scrubbed_mounts.insert(a.scrub().mount_point());
    if (a.has_md_check()) h.checked_arrays.insert(a.md_check().array());
    if (a.has_refresh_snapshot()) {
      ++h.refreshes[a.refresh_snapshot().mount_point()];
      if (!record.has_result()) {
        h.pending_refreshes.insert(a.refresh_snapshot().mount_point());
      }
    }
    if (record.result().outcome() == mfr::v1::ACTION_OUTCOME_STALE) {
      ++h.stale[MountOf(a)];
    }
  }
  return h;
}

class Planner {
 public:
  Planner(const mfr::v1::Incident& incident, const HostContext& host,
          const EffectivePolicy& policy, uint32_t kill_budget)
      : incident_(incident),
        host_(host),
        policy_(policy),
        kill_budget_(kill_budget),
        history_(HistoryOf(incident)) {}

  Plan Run() {
    if (policy_.HostExcluded(incident_.host())) {
      plan_.notes.push_back(absl::StrCat("host ", incident_.host(),
                                         " is excluded by policy: recorded "
                                         "only, no actions"));
      return std::move(plan_);
    }
    if (!ProbeAllowsActions()) return std::move(plan_);
    for (const auto& [mount, count] : history_.stale) {
      if (count > history_.refreshes[mount]) {
        Refresh(mount, "an agent found ownership changed since the snapshot");
      }
    }
    for (const OwnerExtent& owner : incident_.owners()) PlanOwner(owner);
    return std::move(plan_);
  }

 private:
  // Plans the probe an estimated range needs; false while other actions
  // must wait for it (or when it showed there is nothing to recover).
  bool ProbeAllowsActions() {
    const mfr::v1::ActionRecord* last = nullptr;
    int probes = 0;
    for (const auto& record : incident_.actions()) {
      if (!record.action().has_probe()) continue;
      last = &record;
      ++probes;
    }
    if (last != nullptr && !last->has_result()) return false;
    if (incident_.range_estimated() && policy_.probe != Mode::kDisabled) {
      if (probes < kMaxProbes) {
        Action a;
        a.mutable_probe()->set_device(incident_.device());
        a.mutable_probe()->set_chunk_bytes(kProbeChunkBytes);
        const uint64_t start = incident_.range().offset_bytes();
        const uint64_t length = std::max<uint64_t>(
            incident_.range().length_bytes(), kProbeWindowBytes);
        SetRange({start, std::min(length, ~uint64_t{0} - start)},
                 a.mutable_probe()->mutable_range());
        Add(std::move(a), policy_.probe, "probe",
            "the kernel named only where the failed request started: read "
            "the neighbourhood to find the blocks that really fail");
        return false;
      }
      plan_.notes.push_back(absl::StrCat("already probed ", probes,
                                         " times: acting on the estimate"));
      return true;
    }
    if (last != nullptr &&
        last->result().outcome() == mfr::v1::ACTION_OUTCOME_DONE &&
        last->result().bad_device_ranges().empty()) {
      plan_.notes.push_back(
          "the probe read every block: none fails now (a transient error, "
          "or the device already remapped it); nothing to recover");
      return false;
    }
    return true;
  }

  void PlanOwner(const OwnerExtent& owner) {
    if (owner.repairable()) return PlanMdCheck(owner);
    switch (owner.kind()) {
      case mfr::v1::OWNER_KIND_FILE_DATA:
        return PlanFileData(owner);
      case mfr::v1::OWNER_KIND_FILE_ATTR_FORK:
      case mfr::v1::OWNER_KIND_EXTENT_MAP:
      case mfr::v1::OWNER_KIND_METADATA:
      case mfr::v1::OWNER_KIND_UNKNOWN:
        return PlanScrub(owner);
      case mfr::v1::OWNER_KIND_FREE_SPACE:
        return;  // nothing lives there; the incident content says so
      case mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT:
        return Refresh(owner.mount_point(), "no snapshot covers the range");
      default:
        plan_.notes.push_back(absl::StrCat("owner kind ", owner.kind(),
                                           " has no recovery: recorded"));
    }
  }

  void PlanFileData(const OwnerExtent& owner) {
    if (owner.unwritten()) return;  // preallocated: reads as zeros, no data
    const std::string& mount = owner.mount_point();
    if (owner.paths().empty()) {
      plan_.notes.push_back(absl::StrCat(
          OwnerName(owner), ": no path known for the inode, cannot act"));
      return;
    }
    if (policy_.PathExcluded(mount, owner.paths(0))) {
      plan_.notes.push_back(absl::StrCat(
          OwnerName(owner), ": path excluded by policy, recorded only"));
      return;
    }
    if (history_.stale.count(mount)) {
      plan_.notes.push_back(absl::StrCat(
          OwnerName(owner), ": not acting, ownership on ", mount,
          " changed since the snapshot (an operator must decide)"));
      return;
    }
    const ByteSpan file = SpanOf(owner.file_range());
    const ByteSpan device = SpanOf(owner.device_range());
    auto& done = history_.file_ranges[{mount, owner.inode()}];
    for (const ByteSpan& part : Uncovered(file, done)) {
      mfr::v1::FileRangeTarget target;
      target.set_mount_point(mount);
      target.set_inode(owner.inode());
      target.set_path(owner.paths(0));
      *target.mutable_snapshot_taken() = owner.snapshot_taken();
      SetRange(part, target.mutable_file_range());
      SetRange({device.offset + (part.offset - file.offset), part.length},
               target.mutable_device_range());
      PlanFilePart(target);
      done.push_back(part);
    }
  }

  void PlanFilePart(const mfr::v1::FileRangeTarget& target) {
    auto it = host_.dax_by_mount.find(target.mount_point());
    const mfr::v1::DaxMode dax = it == host_.dax_by_mount.end()
                                     ? mfr::v1::DAX_MODE_UNSPECIFIED
                                     : it->second;
    const bool maybe_dax =
        dax == mfr::v1::DAX_MODE_ALWAYS || dax == mfr::v1::DAX_MODE_INODE;
    const bool maybe_cached = dax != mfr::v1::DAX_MODE_ALWAYS;
    const std::string what =
        absl::StrCat(target.mount_point(), ":", target.path(), " bytes ",
                     target.file_range().offset_bytes(), "+",
                     target.file_range().length_bytes());
    if (maybe_dax) {
      Action a;
      *a.mutable_kill_mappers()->mutable_target() = target;
      a.mutable_kill_mappers()->set_signal(policy_.kill_signal);
      a.mutable_kill_mappers()->set_only_if_dax(true);
      Mode mode = policy_.kill_mappers;
      std::string why = absl::StrCat(
          dax == mfr::v1::DAX_MODE_ALWAYS
              ? "DAX mount (dax=always)"
              : "dax=inode mount, if the file is DAX",
          ": stop processes mapping ", what, " before they consume poison");
      if (mode == Mode::kEnabled && kill_budget_ == 0) {
        mode = Mode::kDryRun;
        absl::StrAppend(&why, "; over ", policy_.max_kills_per_host_per_minute,
                        " kills/minute for this host: dry run only");
      }
      if (Add(std::move(a), mode, "kill_mappers", why) &&
          mode == Mode::kEnabled) {
        --kill_budget_;
        ++plan_.kills;
      }
    }
    if (maybe_cached) {
      Action a;
      *a.mutable_rewrite()->mutable_target() = target;
      std::string why =
          absl::StrCat("page-cache file: write cached pages of ", what,
                       " back over the bad range; pages not cached are lost");
      if (policy_.kill_mappers_of_lost_pages) {
        a.mutable_rewrite()->set_kill_lost_mappers_signal(policy_.kill_signal);
        absl::StrAppend(&why, "; signal mappers of lost pages (policy)");
      }
      Add(std::move(a), policy_.rewrite, "rewrite", why);
    }
  }

  void PlanScrub(const OwnerExtent& owner) {
    const std::string& mount = owner.mount_point();
    if (mount.empty() || !history_.scrubbed_mounts.insert(mount).second) return;
    Action a;
    a.mutable_scrub()->set_mount_point(mount);
    Add(std::move(a), policy_.scrub, "scrub",
        absl::StrCat("filesystem metadata of ", mount,
                     " is damaged: read-only check, never a write"));
  }

  void PlanMdCheck(const OwnerExtent& owner) {
    bool found = false;
    for (const auto& step : incident_.chain()) {
      if (!step.repairable()) continue;
      found = true;
      if (!history_.checked_arrays.insert(step.device()).second) continue;
      Action a;
      a.mutable_md_check()->set_array(step.device());
      Add(std::move(a), policy_.md_check, "md_check",
          absl::StrCat(step.device(),
                       " still has redundancy for these bytes: an md check "
                       "rewrites them from the good copy"));
    }
    if (!found) {
      plan_.notes.push_back(absl::StrCat(
          OwnerName(owner), ": repairable, but the chain names no md array"));
    }
  }

  void Refresh(const std::string& mount, const std::string& why) {
    if (mount.empty() || history_.pending_refreshes.count(mount)) return;
    int& count = history_.refreshes[mount];
    if (count >= kMaxRefreshesPerMount) {
      plan_.notes.push_back(absl::StrCat(why, " on ", mount, "; already ",
                                         count,
                                         " snapshot refreshes: giving "
                                         "up, an operator must look"));
      return;
    }
    ++count;
    history_.pending_refreshes.insert(mount);
    Action a;
    a.mutable_refresh_snapshot()->set_mount_point(mount);
    Add(std::move(a), policy_.refresh_snapshot, "refresh_snapshot",
        absl::StrCat(why, ": take a fresh snapshot of ", mount));
  }

  // Adds the action unless its kind is disabled; false when not added.
  bool Add(Action action, Mode mode, const char* kind, std::string why) {
    if (mode == Mode::kDisabled) {
      plan_.notes.push_back(
          absl::StrCat("would ", kind, " (", why, ") but policy disables it"));
      return false;
    }
    const int number =
        incident_.actions_size() + static_cast<int>(plan_.actions.size()) + 1;
    action.set_id(absl::StrCat(incident_.id(), ".", number));
    action.set_incident_id(incident_.id());
    action.set_host(incident_.host());
    action.set_dry_run(mode == Mode::kDryRun);
    if (mode == Mode::kDryRun) absl::StrAppend(&why, " [dry run]");
    action.set_reason(std::move(why));
    plan_.actions.push_back(std::move(action));
    return true;
  }

  const mfr::v1::Incident& incident_;
  const HostContext& host_;
  const EffectivePolicy& policy_;
  uint32_t kill_budget_;
  History history_;
  Plan plan_;
};

}  // namespace

Plan PlanRecovery(const mfr::v1::Incident& incident, const HostContext& host,
                  const EffectivePolicy& policy, uint32_t kill_budget) {
  return Planner(incident, host, policy, kill_budget).Run();
}

}  // namespace mfr::controller::recovery
