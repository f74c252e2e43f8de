// One agent round: collect the host's topology, register it with the
// controller, then snapshot and upload each selected filesystem. Logs one
// line per filesystem with what was sent and how fast. Thread-safe: rounds
// (periodic ones and refreshes the controller asks for) run one at a time.
#ifndef MFR_AGENT_SNAPSHOT_RUNNER_H_
#define MFR_AGENT_SNAPSHOT_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "agent/agent_metrics.h"
#include "agent/controller_client.h"
#include "agent/topology/filesystem_probe.h"
#include "agent/topology/topology_collector.h"

namespace mfr::agent {

struct RunnerOptions {
  std::string host;  // host identity sent to the controller
  std::vector<std::string> mount_points;  // empty: every local xfs/ext4 mount
  topology::HostRoot root;
  size_t batch_size = 4096;
  // Test seam (--dax-paths-for-testing): mounts holding these paths are
  // registered as dax=inode, so the controller plans DAX kills there.
  std::vector<std::string> dax_paths_for_testing;
  AgentMetrics* metrics = nullptr;  // optional
};

class SnapshotRunner {
 public:
  // Collaborators are borrowed and must outlive the runner; `log` receives
  // human-readable progress lines.
  SnapshotRunner(RunnerOptions options, ControllerClient* client,
                 topology::FilesystemProbe* probe, std::ostream* log)
      : options_(std::move(options)),
        client_(client),
        probe_(probe),
        log_(log) {}

  // Registers and snapshots every selected filesystem; keeps going after a
  // filesystem fails and returns the first error (OK if all succeeded).
  // InvalidArgument when an explicitly named mount point is not snapshottable.
  absl::Status RunOnce();
  // The same round for one mount point only (a RefreshSnapshot action).
  absl::Status Refresh(const std::string& mount_point);

 private:
  absl::Status Run(const std::vector<std::string>& mount_points);
  absl::Status SnapshotOne(const mfr::v1::Mount& mount);

  const RunnerOptions options_;
  ControllerClient* const client_;
  topology::FilesystemProbe* const probe_;
  std::ostream* const log_;
  absl::Mutex mu_;  // one round at a time
};

}  // namespace mfr::agent

#endif  // MFR_AGENT_SNAPSHOT_RUNNER_H_
