// What the recovery actions achieved, derived from their results. Pure.
//
// Each owner's state follows from the results of the actions planned for
// it (planner.h):
//   OPEN                an action for it has no result yet (the incident
//                       is OPEN while any of its actions has none)
//   RECOVERED           every byte saved (rewritten and verified, or md
//                       rewrote it), or nothing lived there (free space,
//                       unwritten extents)
//   DATA_LOST           file bytes lost (not in the page cache, or DAX
//                       poison) and none saved
//   PARTIALLY_RECOVERED some bytes saved, some lost
//   NEEDS_ATTENTION     metadata, an action failed, was stale, a dry run,
//                       disabled or excluded, or no filesystem maps it
// The incident's state is the worst of them in the order OPEN, (file
// loss: DATA_LOST, or PARTIALLY_RECOVERED when some file bytes were
// saved), NEEDS_ATTENTION, RECOVERED. An incident with no owners (no
// filesystem maps the range) needs attention. Operator states
// (ACKNOWLEDGED, RESOLVED) are kept; owners are still updated.
#ifndef MFR_CONTROLLER_RECOVERY_OUTCOME_H_
#define MFR_CONTROLLER_RECOVERY_OUTCOME_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::recovery {

// Recomputes every owner's state and saved/lost ranges, then the
// incident's state.
void DeriveOutcome(mfr::v1::Incident* incident);

// One line for the audit trail about a result.
std::string DescribeResult(const mfr::v1::Action& action,
                           const mfr::v1::ActionResult& result);

// The state a file or metadata owner is in for reporting: its own
// recovery state (an acknowledged incident still lost what it lost),
// except that resolving closes every owner of the incident; an owner
// without a state predates recovery and takes the incident's.
mfr::v1::IncidentState EffectiveOwnerState(const mfr::v1::Incident& incident,
                                           const mfr::v1::OwnerExtent& owner);

// The file an action is about (kill_mappers, rewrite), or nullptr.
const mfr::v1::FileRangeTarget* FileTargetOf(const mfr::v1::Action& action);

// An audit-trail line: "2026-11-25T14:00:00Z text".
std::string AuditLine(absl::Time now, absl::string_view text);

// One line for the audit trail about a planned action.
std::string DescribeAction(const mfr::v1::Action& action);

}  // namespace mfr::controller::recovery

#endif  // MFR_CONTROLLER_RECOVERY_OUTCOME_H_
