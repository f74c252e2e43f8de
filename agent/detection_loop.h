// Runs detection until told to stop: opens the durable outbox and the kmsg
// resume point under the state directory, builds the report sender over
// the controller channel, discovers the pmem namespace layouts under the
// host root (so the Detector reports memory errors on pmem devices), and
// steps the Detector; every pmem poll interval it also polls the
// PmemWatcher, whose reports go through the same outbox and sender.
// Errors of one step or poll are logged and retried after a pause; only
// setup errors end the loop. Everything runs on the calling thread.
#ifndef MFR_AGENT_DETECTION_LOOP_H_
#define MFR_AGENT_DETECTION_LOOP_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "agent/agent_metrics.h"
#include "agent/detector.h"
#include "grpcpp/channel.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent {

struct PmemConfig {
  // Between polls of the pmem badblocks lists; zero: no polling (the
  // layouts for memory errors are still discovered at start).
  absl::Duration poll = absl::Seconds(10);
  std::string root = "/";  // the host's /sys lives under it
  std::string ndctl;       // the ndctl binary to run each poll; "": none
};

struct DetectionConfig {
  DetectorOptions detector;  // host, kmsg path, policy, merge window
  std::string state_dir;     // outbox/, kmsg.seq, pmem_badblocks.state
  absl::Duration rpc_timeout = absl::Seconds(10);
  AgentMetrics* metrics = nullptr;  // optional
  PmemConfig pmem;
};

absl::Status RunDetection(const DetectionConfig& config,
                          const mfr::v1::Topology& topology,
                          std::shared_ptr<grpc::Channel> channel,
                          const absl::Notification& stop, std::ostream* log);

}  // namespace mfr::agent

#endif  // MFR_AGENT_DETECTION_LOOP_H_
