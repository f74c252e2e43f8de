// ProcessControl: the narrow interface through which the agent signals
// processes, so that the killer's decisions can be tested without signals.
//
// Contract:
// - Open(pid) pins one process: NotFound if there is no such process. The
//   returned handle keeps naming that process even if it exits and its pid
//   is reused; Signal() then fails with NotFound, never hits the newcomer.
// - Signal(sig) sends `sig` to the pinned process's thread group: OK, or
//   NotFound once it has exited, or the errno of the failure.
// PidfdProcessControl: pidfd_open(2) + pidfd_send_signal(2) (Linux 5.3+).
// Thread-safe.
#ifndef MFR_AGENT_RECOVERY_PROCESS_CONTROL_H_
#define MFR_AGENT_RECOVERY_PROCESS_CONTROL_H_

#include <sys/types.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mfr::agent::recovery {

class ProcessHandle {
 public:
  virtual ~ProcessHandle() = default;
  virtual absl::Status Signal(int signal) = 0;
};

class ProcessControl {
 public:
  virtual ~ProcessControl() = default;
  virtual absl::StatusOr<std::unique_ptr<ProcessHandle>> Open(pid_t pid) = 0;
};

class PidfdProcessControl : public ProcessControl {
 public:
  absl::StatusOr<std::unique_ptr<ProcessHandle>> Open(pid_t pid) override;
};

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_PROCESS_CONTROL_H_
