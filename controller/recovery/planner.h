// The recovery planner: which actions an incident's owners need, chosen by
// owner kind, the file's mapping mode, the device-stack verdict and the
// policy (DESIGN.md, "Recovery by mapping mode"). Pure: no I/O, no clock.
//
//   file data, DAX (mount dax=always)   kill the processes that map it
//   file data, dax=inode mount          kill (if the file is DAX) and
//                                       rewrite (if it is not): the agent
//                                       checks the file's mode live
//   file data, page cache               rewrite resident pages; the rest is
//                                       lost (optionally kill its mappers)
//   metadata, extent maps, attr forks,
//   in-use owner unknown                read-only scrub of the filesystem
//   free space, unwritten extents       recorded only
//   repairable (md redundancy left)     md check of the array
//   not in the snapshot                 refresh the filesystem's snapshot
//
// A range that is the kernel's estimate (range_estimated: the failed
// request's first block, no length) is probed first, read-only, over
// kProbeWindowBytes from its start; nothing else is planned until the
// probe answered (the controller then narrows the range to the blocks
// that failed). A probe that found every block readable means there is
// nothing to recover: no file actions, a note says so. An incident
// estimated again later is probed again (at most kMaxProbes times).
//
// Each owner gets its own actions (reflink: every sharer). Parts of an
// owner that an earlier action already targets are not planned again, so
// replanning after a merged report or a fresh snapshot only adds what is
// new. A filesystem where an agent found ownership changed (a STALE
// result) gets a fresh snapshot but no new file actions: mfr never acts
// on a guess, an operator decides. Every decision that is not an action
// becomes a note for the audit trail.
#ifndef MFR_CONTROLLER_RECOVERY_PLANNER_H_
#define MFR_CONTROLLER_RECOVERY_PLANNER_H_

#include <map>
#include <string>
#include <vector>

#include "controller/recovery/policy.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::recovery {

// At most this many snapshot refreshes of one filesystem per incident.
inline constexpr int kMaxRefreshesPerMount = 2;
// How far past an estimated range's start a probe reads: a failed request
// is at most max_sectors_kb long (512 KiB to a few MiB on most devices).
inline constexpr uint64_t kProbeWindowBytes = 1 << 20;
// The probe reads this much at a time; only failing chunks are re-read
// block by block.
inline constexpr uint64_t kProbeChunkBytes = 64 << 10;
// A range estimated again (new damage near a probed incident) is probed
// again, at most this many times per incident.
inline constexpr int kMaxProbes = 3;

struct HostContext {
  std::map<std::string, mfr::v1::DaxMode> dax_by_mount;  // from the topology
};

struct Plan {
  std::vector<mfr::v1::Action> actions;  // ids, host, reasons filled in
  std::vector<std::string> notes;        // decisions that are not actions
  uint32_t kills = 0;                    // non-dry-run kill actions planned
};

// `kill_budget`: kill actions the host may still get this minute; kills
// beyond it are planned as dry runs (the note says so).
Plan PlanRecovery(const mfr::v1::Incident& incident, const HostContext& host,
                  const EffectivePolicy& policy, uint32_t kill_budget);

}  // namespace mfr::controller::recovery

#endif  // MFR_CONTROLLER_RECOVERY_PLANNER_H_
