#include "controller/recovery/recovery_coordinator.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "controller/recovery/outcome.h"
#include "controller/recovery/planner.h"

namespace mfr::controller::recovery {

uint32_t RecoveryCoordinator::KillBudget(const std::string& host,
                                         uint32_t per_minute, absl::Time now) {
  auto& times = kills_[host];
  while (!times.empty() && now - times.front() >= absl::Minutes(1)) {
    times.pop_front();
  }
  return times.size() >= per_minute ? 0 : per_minute - times.size();
}

std::vector<mfr::v1::Action> RecoveryCoordinator::Plan(
    mfr::v1::Incident* incident, const mfr::v1::Topology& topology,
    absl::Time now) {
  const EffectivePolicy policy = policy_->Current(now);
  HostContext host;
  for (const auto& mount : topology.mounts()) {
    host.dax_by_mount[mount.mount_point()] = mount.dax();
  }
  recovery::Plan plan;
  {
    absl::MutexLock lock(&mu_);
    plan = PlanRecovery(*incident, host, policy,
                        KillBudget(incident->host(),
                                   policy.max_kills_per_host_per_minute, now));
    for (uint32_t i = 0; i < plan.kills; ++i) {
      kills_[incident->host()].push_back(now);
    }
  }
  for (const std::string& note : plan.notes) {
    // Replanning after every result must not repeat a decision.
    const bool said = std::any_of(
        incident->audit().begin(), incident->audit().end(),
        [&](const std::string& line) { return absl::EndsWith(line, note); });
    if (!said) incident->add_audit(AuditLine(now, note));
  }
  for (const mfr::v1::Action& action : plan.actions) {
    auto* record = incident->add_actions();
    *record->mutable_action() = action;
    *record->mutable_planned() = ToProtoTime(now);
    incident->add_audit(AuditLine(now, DescribeAction(action)));
  }
  DeriveOutcome(incident);
  return plan.actions;
}

ResultFate RecoveryCoordinator::ApplyResult(mfr::v1::Incident* incident,
                                            const mfr::v1::ActionResult& result,
                                            absl::Time now) {
  for (auto& record : *incident->mutable_actions()) {
    if (record.action().id() != result.action_id()) continue;
    if (record.has_result()) return ResultFate::kAlreadyAnswered;
    *record.mutable_result() = result;
    incident->add_audit(
        AuditLine(now, DescribeResult(record.action(), result)));
    DeriveOutcome(incident);
    return ResultFate::kApplied;
  }
  return ResultFate::kUnknownAction;
}

}  // namespace mfr::controller::recovery
