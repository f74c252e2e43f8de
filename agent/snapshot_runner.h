// One agent round: collect the host's topology, register it with the
// controller, then snapshot and upload each selected filesystem. Logs one
// line per filesystem with what was sent and how fast. Thread-compatible.
#ifndef MFR_AGENT_SNAPSHOT_RUNNER_H_
#define MFR_AGENT_SNAPSHOT_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/controller_client.h"
#include "agent/topology/filesystem_probe.h"
#include "agent/topology/topology_collector.h"

namespace mfr::agent {

struct RunnerOptions {
  std::string host;  // host identity sent to the controller
  std::vector<std::string> mount_points;  // empty: every local xfs/ext4 mount
  topology::HostRoot root;
  size_t batch_size = 4096;
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

 private:
  absl::Status SnapshotOne(const mfr::v1::Mount& mount);

  const RunnerOptions options_;
  ControllerClient* const client_;
  topology::FilesystemProbe* const probe_;
  std::ostream* const log_;
};

}  // namespace mfr::agent

#endif  // MFR_AGENT_SNAPSHOT_RUNNER_H_
