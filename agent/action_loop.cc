#include "agent/action_loop.h"

#include <filesystem>

#include "agent/actions/action_executor.h"
#include "agent/actions/action_journal.h"
#include "agent/actions/action_stream.h"
#include "agent/recovery/linux_mapping_mode_probe.h"
#include "agent/recovery/mapper_finder.h"
#include "agent/recovery/process_control.h"
#include "agent/topology/rooted_fs.h"
#include "mfr/v1/agent_service.grpc.pb.h"

namespace mfr::agent {

absl::Status RunActionLoop(const ActionLoopConfig& config,
                           SnapshotRunner* runner,
                           std::shared_ptr<grpc::Channel> channel,
                           const absl::Notification& stop, std::ostream* log) {
  auto journal = actions::ActionJournal::Open(
      (std::filesystem::path(config.state_dir) / "actions").string());
  if (!journal.ok()) return journal.status();
  auto finder = recovery::MapperFinder::Create(
      (std::filesystem::path(config.root) / "proc").string());
  if (!finder.ok()) return finder.status();
  actions::ExecutorDeps deps;
  recovery::LinuxMappingModeOptions mapping;
  mapping.proc_root = topology::HostPath(config.root, "/proc");
  std::unique_ptr<recovery::MappingModeProbe> probe =
      std::make_unique<recovery::LinuxMappingModeProbe>(mapping);
  if (!config.dax_paths_for_testing.empty()) {
    *log << "WARNING: files under the --dax-paths-for-testing prefixes are "
            "treated as DAX (tests only)"
         << std::endl;
    probe = std::make_unique<recovery::PathPrefixDaxProbeForTesting>(
        config.dax_paths_for_testing, std::move(probe));
  }
  deps.mapping = std::move(probe);
  deps.finder = *std::move(finder);
  deps.control = std::make_unique<recovery::PidfdProcessControl>();
  deps.exclusions.comms = config.never_signal;
  deps.refresh = [runner](const std::string& mount) {
    return runner->Refresh(mount);
  };
  deps.root = config.root;
  deps.log = log;
  actions::ActionExecutor executor(std::move(deps));
  auto stub = mfr::v1::AgentService::NewStub(channel);
  actions::ActionStreamObserver observer;
  if (AgentMetrics* metrics = config.metrics; metrics != nullptr) {
    observer.on_connection = [metrics](bool up) {
      metrics->SetControllerConnected(up);
    };
    observer.on_executed = [metrics](const mfr::v1::Action& a,
                                     const mfr::v1::ActionResult& r) {
      metrics->CountAction(a, r);
    };
  }
  actions::ServeActions(stub.get(), config.host, journal->get(), &executor,
                        stop, log, observer);
  return absl::OkStatus();
}

}  // namespace mfr::agent
