// Runs detection until told to stop: opens the durable outbox and the kmsg
// resume point under the state directory, builds the report sender over
// the controller channel, and steps the Detector. Errors of one step are
// logged and retried after a pause; only setup errors end the loop.
#ifndef MFR_AGENT_DETECTION_LOOP_H_
#define MFR_AGENT_DETECTION_LOOP_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "agent/detector.h"
#include "grpcpp/channel.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent {

struct DetectionConfig {
  DetectorOptions detector;  // host, kmsg path, policy, merge window
  std::string state_dir;     // outbox/ and kmsg.seq live here
  absl::Duration rpc_timeout = absl::Seconds(10);
};

absl::Status RunDetection(const DetectionConfig& config,
                          const mfr::v1::Topology& topology,
                          std::shared_ptr<grpc::Channel> channel,
                          const absl::Notification& stop, std::ostream* log);

}  // namespace mfr::agent

#endif  // MFR_AGENT_DETECTION_LOOP_H_
