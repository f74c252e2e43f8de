#include "agent/detection_loop.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/report/report_channel.h"

namespace mfr::agent {

absl::Status RunDetection(const DetectionConfig& config,
                          const mfr::v1::Topology& topology,
                          std::shared_ptr<grpc::Channel> channel,
                          const absl::Notification& stop, std::ostream* log) {
  std::error_code error;
  std::filesystem::create_directories(config.state_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create state directory ", config.state_dir, ": ",
                     error.message()));
  }
  report::OutboxOptions outbox_options;
  outbox_options.path = config.state_dir + "/outbox";
  auto outbox = report::Outbox::Open(outbox_options);
  if (!outbox.ok()) return outbox.status();
  report::StubReportChannel reports(mfr::v1::AgentService::NewStub(channel),
                                    config.rpc_timeout);
  report::ReportSender sender(outbox->get(), &reports);
  DetectorOptions options = config.detector;
  options.sequence_path = config.state_dir + "/kmsg.seq";
  auto detector =
      Detector::Start(options, topology, outbox->get(), &sender, log);
  if (!detector.ok()) return detector.status();
  *log << "detection: reading " << options.kmsg_path << ", "
       << (*outbox)->Stats().depth << " reports pending in the outbox"
       << std::endl;
  while (!stop.HasBeenNotified()) {
    if (auto s = (*detector)->Step(absl::Now()); !s.ok()) {
      *log << "detection step failed, retrying: " << s << std::endl;
      stop.WaitForNotificationWithTimeout(absl::Seconds(1));
    }
  }
  return (*detector)->Drain();
}

}  // namespace mfr::agent
