// Runs recovery actions until told to stop: builds the executor (live
// mapping-mode probe, /proc under the agent's root, pidfd signalling,
// snapshot refreshes through the runner) and serves the controller's
// Actions stream with the durable journal under the state directory.
#ifndef MFR_AGENT_ACTION_LOOP_H_
#define MFR_AGENT_ACTION_LOOP_H_

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "agent/agent_metrics.h"
#include "agent/snapshot_runner.h"
#include "grpcpp/channel.h"

namespace mfr::agent {

struct ActionLoopConfig {
  std::string host;
  std::string root = "/";  // /proc and /sys live under it
  std::string state_dir;   // the journal lives in actions/ under it
  std::vector<std::string> never_signal;  // command names (/proc/PID/comm)
  // Test seam: files under these prefixes count as DAX (no pmem here).
  std::vector<std::string> dax_paths_for_testing;
  AgentMetrics* metrics = nullptr;  // optional
};

// Returns when `stop` is notified; errors only for setup.
absl::Status RunActionLoop(const ActionLoopConfig& config,
                           SnapshotRunner* runner,
                           std::shared_ptr<grpc::Channel> channel,
                           const absl::Notification& stop, std::ostream* log);

}  // namespace mfr::agent

#endif  // MFR_AGENT_ACTION_LOOP_H_
