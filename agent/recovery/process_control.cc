#include "agent/recovery/process_control.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/scoped_fd.h"

namespace mfr::agent::recovery {
namespace {

class PidfdHandle : public ProcessHandle {
 public:
  PidfdHandle(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}

  absl::Status Signal(int signal) override {
    if (syscall(SYS_pidfd_send_signal, pidfd_.get(), signal, nullptr, 0) == 0) {
      return absl::OkStatus();
    }
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("pidfd_send_signal pid ", pid_));
  }

 private:
  pid_t pid_;
  ScopedFd pidfd_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ProcessHandle>> PidfdProcessControl::Open(
    pid_t pid) {
  if (pid <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("pid ", pid));
  }
  const long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("pidfd_open pid ", pid));
  }
  return std::make_unique<PidfdHandle>(pid, static_cast<int>(fd));
}

}  // namespace mfr::agent::recovery
