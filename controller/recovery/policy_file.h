// The recovery policy as a file the operator edits: read at start, reread
// whenever its modification time or size changes (checked at most once a
// second, on use). A file that fails to parse on reload keeps the previous
// policy and logs why; at start it is an error. No file: the defaults.
// Thread-safe.
#ifndef MFR_CONTROLLER_RECOVERY_POLICY_FILE_H_
#define MFR_CONTROLLER_RECOVERY_POLICY_FILE_H_

#include <ostream>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "controller/recovery/policy.h"

namespace mfr::controller::recovery {

class PolicyFile {
 public:
  // `path` empty: the default policy, never reloaded. InvalidArgument or
  // NotFound when the file is unreadable or malformed.
  static absl::StatusOr<std::unique_ptr<PolicyFile>> Open(std::string path,
                                                          std::ostream* log);

  // The policy in force at `now`, rereading the file if it changed.
  EffectivePolicy Current(absl::Time now);

 private:
  PolicyFile(std::string path, std::ostream* log)
      : path_(std::move(path)), log_(log) {}
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  std::ostream* const log_;
  absl::Mutex mu_;
  EffectivePolicy policy_ ABSL_GUARDED_BY(mu_);
  std::string stamp_ ABSL_GUARDED_BY(mu_);  // mtime and size last loaded
  absl::Time checked_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace mfr::controller::recovery

#endif  // MFR_CONTROLLER_RECOVERY_POLICY_FILE_H_
