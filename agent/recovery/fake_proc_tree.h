// Test doubles for the mapper finder and killer: a /proc-like directory
// tree written to a temporary directory, and a ProcessControl that records
// signals instead of sending them (so fake pids never reach real ones).
#ifndef MFR_AGENT_RECOVERY_FAKE_PROC_TREE_H_
#define MFR_AGENT_RECOVERY_FAKE_PROC_TREE_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/recovery/process_control.h"

namespace mfr::agent::recovery {

// <dir>/<pid>/{stat,comm,maps}; removed with its contents on destruction.
class FakeProcTree {
 public:
  FakeProcTree();  // under $TEST_TMPDIR (else /tmp)
  ~FakeProcTree();

  const std::string& root() const { return root_; }
  void AddProcess(pid_t pid, const std::string& comm, uint32_t flags,
                  const std::string& maps);
  void SetMaps(pid_t pid, const std::string& maps);
  void Remove(pid_t pid);
  // A directory entry that is not a pid, as /proc has many.
  void AddOtherEntry(const std::string& name);

 private:
  std::string root_;
};

// Processes in `alive` can be opened; signals are appended to `sent`.
class FakeProcessControl : public ProcessControl {
 public:
  std::set<pid_t> alive;
  std::vector<std::pair<pid_t, int>> sent;
  // Runs after a successful Open (e.g. to change the tree: the process
  // exits or its pid is reused between the pinning and the look).
  std::function<void(pid_t)> after_open;

  absl::StatusOr<std::unique_ptr<ProcessHandle>> Open(pid_t pid) override;
};

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_FAKE_PROC_TREE_H_
