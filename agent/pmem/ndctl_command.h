// NdctlSource: the output of `ndctl list --regions --namespaces
// --media-errors` (ndctl-list(1)), the seam the pmem watcher reads ndctl
// through; tests hand in a fake. ProcessNdctl runs the real binary.
//
// ndctl reads the live /sys, not the agent's --root, so the composition
// root only uses it when the root is "/". It reports the same kernel
// badblocks lists the watcher reads from sysfs, so it is a cross-check: a
// range both name is reported once (known_badblocks.h).
#ifndef MFR_AGENT_PMEM_NDCTL_COMMAND_H_
#define MFR_AGENT_PMEM_NDCTL_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mfr::agent::pmem {

class NdctlSource {
 public:
  virtual ~NdctlSource() = default;
  // The JSON ndctl printed (may be empty: nothing to list).
  virtual absl::StatusOr<std::string> ListMediaErrors() = 0;
};

// The first executable "ndctl" in the ':'-separated directories of
// `path_env` (the PATH variable), or "" if there is none.
std::string FindNdctl(absl::string_view path_env);

// Runs `binary list --regions --namespaces --media-errors` with no shell,
// stdin and stderr on /dev/null. Errors: Internal when it cannot start or
// exits non-zero, DeadlineExceeded past `timeout` (the child is killed),
// ResourceExhausted past `max_output_bytes` (killed too). Thread-safe
// (posix_spawn; one child per call, always reaped).
class ProcessNdctl final : public NdctlSource {
 public:
  ProcessNdctl(std::string binary, absl::Duration timeout,
               size_t max_output_bytes);
  absl::StatusOr<std::string> ListMediaErrors() override;

  // The argument vector after the binary (for tests and logs).
  static std::vector<std::string> Arguments();

 private:
  const std::string binary_;
  const absl::Duration timeout_;
  const size_t max_output_bytes_;
};

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_NDCTL_COMMAND_H_
