// Carries out one recovery action on this host and says what happened.
//
// Every file action is verified live first: the path must still name the
// expected inode on the expected filesystem and the file range must still
// map to the expected device bytes (recovery/ownership_check.h). If not,
// nothing is done and the answer is STALE, and the controller refreshes
// the snapshot. Then, by kind:
//   kill_mappers  only for DAX files when only_if_dax (else NOT_APPLICABLE):
//                 signal every process that maps the range (never pid 1,
//                 kernel threads, the agent or excluded commands); the
//                 range counts as lost (poisoned DAX memory)
//   rewrite       only for page-cache files (DAX: NOT_APPLICABLE): write
//                 cached pages back and verify; the rest is lost; with
//                 kill_lost_mappers_signal, signal mappers of lost pages
//   scrub         xfs_scrub -n (read-only) on XFS; ext4 needs an offline
//                 e2fsck, which the answer says; never writes
//   md_check      "check" into <root>/sys/block/MD/md/sync_action
//   refresh_snapshot  a fresh snapshot of the mount through `refresh`
//   probe         O_DIRECT reads of <root>/dev/DEVICE over the range
//                 (recovery/block_probe.h): the unreadable blocks
// A dry run does every check and reports what would happen (DRY_RUN).
// Thread-compatible.
#ifndef MFR_AGENT_ACTIONS_ACTION_EXECUTOR_H_
#define MFR_AGENT_ACTIONS_ACTION_EXECUTOR_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "agent/recovery/mapper_finder.h"
#include "agent/recovery/mapping_mode.h"
#include "agent/recovery/process_control.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::actions {

struct ExecutorDeps {
  std::unique_ptr<recovery::MappingModeProbe> mapping;
  std::unique_ptr<recovery::MapperFinder> finder;
  std::unique_ptr<recovery::ProcessControl> control;
  recovery::MapperExclusions exclusions;  // never signalled
  std::function<absl::Status(const std::string& mount_point)> refresh;
  std::string root = "/";  // sysfs lives under it (md check)
  std::string xfs_scrub = "xfs_scrub";
  std::ostream* log = nullptr;  // one line per decision
};

class ActionExecutor {
 public:
  explicit ActionExecutor(ExecutorDeps deps) : deps_(std::move(deps)) {}

  // Never fails: problems are FAILED or STALE results with a detail.
  mfr::v1::ActionResult Execute(const mfr::v1::Action& action);

 private:
  mfr::v1::ActionResult KillMappers(const mfr::v1::Action& action);
  mfr::v1::ActionResult Rewrite(const mfr::v1::Action& action);
  mfr::v1::ActionResult Scrub(const mfr::v1::Action& action);
  mfr::v1::ActionResult MdCheck(const mfr::v1::Action& action);
  mfr::v1::ActionResult Refresh(const mfr::v1::Action& action);
  mfr::v1::ActionResult Probe(const mfr::v1::Action& action);
  // Signals the mappers of `range` of the open file; fills processes.
  absl::Status SignalMappers(int fd, const ByteSpan& range, int signal,
                             bool dry_run, mfr::v1::ActionResult* result);

  ExecutorDeps deps_;
};

}  // namespace mfr::agent::actions

#endif  // MFR_AGENT_ACTIONS_ACTION_EXECUTOR_H_
