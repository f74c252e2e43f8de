// Recovery bookkeeping on one incident: planning under the current policy
// and the host's kill rate limit, recording results, and the audit trail
// of both. Works on an Incident the caller loaded and will store (the
// incident core serialises that read-modify-write). Thread-safe.
#ifndef MFR_CONTROLLER_RECOVERY_RECOVERY_COORDINATOR_H_
#define MFR_CONTROLLER_RECOVERY_RECOVERY_COORDINATOR_H_

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "controller/recovery/policy_file.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::recovery {

enum class ResultFate {
  kApplied,          // recorded; the incident changed
  kAlreadyAnswered,  // a repeat of a result already recorded: ignored
  kUnknownAction,    // no such action on this incident
};

class RecoveryCoordinator {
 public:
  explicit RecoveryCoordinator(PolicyFile* policy) : policy_(policy) {}

  // Plans what `incident` (with freshly resolved owners) newly needs,
  // appends the action records and audit lines, and derives the states.
  // Returns the new actions, to be queued for the host.
  std::vector<mfr::v1::Action> Plan(mfr::v1::Incident* incident,
                                    const mfr::v1::Topology& topology,
                                    absl::Time now);

  // Records `result` on its action, audits it and derives the states.
  ResultFate ApplyResult(mfr::v1::Incident* incident,
                         const mfr::v1::ActionResult& result, absl::Time now);

 private:
  uint32_t KillBudget(const std::string& host, uint32_t per_minute,
                      absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  PolicyFile* const policy_;
  absl::Mutex mu_;
  std::map<std::string, std::deque<absl::Time>> kills_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mfr::controller::recovery

#endif  // MFR_CONTROLLER_RECOVERY_RECOVERY_COORDINATOR_H_
