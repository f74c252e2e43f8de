// ProcessKiller: signals the processes that map a damaged file range (the
// DAX action: stop them before they consume poison).
//
// Contract, per pid:
// - The pid is refused outright when it is <= 0 (kill(2) would read it as
//   a group), 1, or the agent itself.
// - Otherwise the process is pinned first (ProcessControl::Open), then
//   re-inspected through the MapperFinder: only if it STILL maps the query
//   range and is not excluded is it signalled, through the pinned handle.
//   Pinning before looking means a pid that is reused after the look can
//   never receive the signal.
// - A process that is gone (before or during) is kGone; one that no longer
//   maps the range (or is a zombie, whose maps are empty) kNoLongerMaps.
//   Neither is an error, so re-running the same action is harmless.
// - dry_run: everything but the signal; the outcome is kWouldSignal.
// - Every decision is logged as one line to `log` (may be null).
// Thread-compatible.
#ifndef MFR_AGENT_RECOVERY_PROCESS_KILLER_H_
#define MFR_AGENT_RECOVERY_PROCESS_KILLER_H_

#include <signal.h>
#include <sys/types.h>

#include <ostream>
#include <string>
#include <vector>

#include "agent/recovery/mapper_finder.h"
#include "agent/recovery/process_control.h"

namespace mfr::agent::recovery {

struct KillOptions {
  int signal = SIGBUS;  // SIGKILL where configured
  bool dry_run = false;
  MapperExclusions exclusions;
  std::ostream* log = nullptr;
};

enum class KillOutcome {
  kSignalled,
  kWouldSignal,   // dry run
  kGone,          // no such process (any more)
  kNoLongerMaps,  // alive, but the range is not mapped now
  kRefused,       // pid <= 0, 1, the agent, kernel thread or excluded
  kFailed,        // could not look or signal; see `detail`
};

struct KillRecord {
  pid_t pid = 0;
  std::string comm;                     // as last seen, may be empty
  std::vector<std::string> maps_lines;  // matching lines at signal time
  KillOutcome outcome = KillOutcome::kFailed;
  std::string detail;
};

class ProcessKiller {
 public:
  // Both borrowed; must outlive the killer.
  ProcessKiller(const MapperFinder* finder, ProcessControl* control)
      : finder_(finder), control_(control) {}

  KillRecord KillOne(pid_t pid, const MapperQuery& query,
                     const KillOptions& options) const;

  // KillOne for each pid, in order.
  std::vector<KillRecord> Kill(const std::vector<pid_t>& pids,
                               const MapperQuery& query,
                               const KillOptions& options) const;

 private:
  KillRecord Decide(pid_t pid, const MapperQuery& query,
                    const KillOptions& options, ProcessHandle* handle) const;

  const MapperFinder* finder_;
  ProcessControl* control_;
};

const char* KillOutcomeName(KillOutcome outcome);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_PROCESS_KILLER_H_
