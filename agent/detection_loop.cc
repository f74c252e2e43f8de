#include "agent/detection_loop.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/pmem/ndctl_command.h"
#include "agent/pmem/pmem_watcher.h"
#include "agent/pmem/sysfs_pmem.h"
#include "agent/report/report_channel.h"
#include "agent/sources/ndctl_json.h"
#include "agent/topology/rooted_fs.h"

namespace mfr::agent {
namespace {

// The pmem side of detection: the layouts the detector translates memory
// errors with, and (when polling) the watcher over the same host root.
struct PmemParts {
  std::unique_ptr<topology::RootedFs> fs;
  pmem::PmemAddressMap layouts;
  std::unique_ptr<pmem::NdctlSource> ndctl;
  std::unique_ptr<pmem::PmemWatcher> watcher;
};

absl::StatusOr<std::unique_ptr<PmemParts>> StartPmem(
    const DetectionConfig& config, report::Outbox* outbox, std::ostream* log) {
  auto parts = std::make_unique<PmemParts>();
  auto fs = topology::RootedFs::Open(config.pmem.root);
  if (!fs.ok()) return fs.status();
  parts->fs = *std::move(fs);
  auto scan = pmem::ScanPmemNamespaces(*parts->fs);
  if (scan.ok()) {
    for (const auto& e : scan->errors) *log << "pmem layout: " << e << "\n";
    *log << "pmem: " << scan->namespaces.size() << " namespaces" << std::endl;
    parts->layouts = pmem::PmemAddressMap(std::move(scan->namespaces));
  } else {
    *log << "pmem: namespace scan failed: " << scan.status() << std::endl;
  }
  if (config.pmem.poll <= absl::ZeroDuration()) return parts;
  if (!config.pmem.ndctl.empty()) {
    parts->ndctl = std::make_unique<pmem::ProcessNdctl>(
        config.pmem.ndctl, absl::Seconds(30), sources::kMaxNdctlJsonBytes);
  }
  pmem::PmemWatcherOptions options;
  options.host = config.detector.host;
  options.state_path = config.state_dir + "/pmem_badblocks.state";
  auto watcher =
      pmem::PmemWatcher::Open(options, parts->fs.get(), parts->ndctl.get(),
                              outbox, &parts->layouts, log);
  if (!watcher.ok()) return watcher.status();
  parts->watcher = *std::move(watcher);
  *log << "pmem: polling badblocks every " << config.pmem.poll
       << (parts->ndctl ? absl::StrCat(", and ", config.pmem.ndctl) : "")
       << std::endl;
  return parts;
}

}  // namespace

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
  if (config.metrics != nullptr) {
    outbox_options.on_put =
        [metrics = config.metrics](const mfr::v1::CorruptRangeRequest& r) {
          metrics->CountReport(r);
        };
  }
  auto outbox = report::Outbox::Open(outbox_options);
  if (!outbox.ok()) return outbox.status();
  report::StubReportChannel reports(mfr::v1::AgentService::NewStub(channel),
                                    config.rpc_timeout);
  report::ReportSender sender(outbox->get(), &reports);
  auto pmem = StartPmem(config, outbox->get(), log);
  if (!pmem.ok()) return pmem.status();
  DetectorOptions options = config.detector;
  options.sequence_path = config.state_dir + "/kmsg.seq";
  options.pmem = &(*pmem)->layouts;
  auto detector =
      Detector::Start(options, topology, outbox->get(), &sender, log);
  if (!detector.ok()) return detector.status();
  *log << "detection: reading " << options.kmsg_path << ", "
       << (*outbox)->Stats().depth << " reports pending in the outbox"
       << std::endl;
  absl::Time next_pmem_poll = absl::Now();
  while (!stop.HasBeenNotified()) {
    pmem::PmemWatcher* watcher = (*pmem)->watcher.get();
    if (watcher != nullptr && absl::Now() >= next_pmem_poll) {
      if (auto s = watcher->Poll(absl::Now()); !s.ok()) {
        *log << "pmem poll failed, retrying: " << s << std::endl;
      }
      next_pmem_poll = absl::Now() + config.pmem.poll;
    }
    if (auto s = (*detector)->Step(absl::Now()); !s.ok()) {
      *log << "detection step failed, retrying: " << s << std::endl;
      stop.WaitForNotificationWithTimeout(absl::Seconds(1));
    }
    if (config.metrics != nullptr) {
      config.metrics->SyncDetection(
          (*detector)->counters(), (*detector)->reader_counters(),
          watcher != nullptr ? watcher->counters().cleared : 0,
          (*outbox)->Stats());
    }
  }
  return (*detector)->Drain();
}

}  // namespace mfr::agent
