// mfr-agent: the per-host daemon. The composition root: parses flags,
// builds the channel, the topology probe and the snapshot runner.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "agent/action_loop.h"
#include "agent/agent_metrics.h"
#include "agent/controller_client.h"
#include "agent/detection_loop.h"
#include "agent/parse_log.h"
#include "agent/pmem/ndctl_command.h"
#include "agent/snapshot_runner.h"
#include "agent/topology/linux_filesystem_probe.h"
#include "agent/topology/topology_collector.h"
#include "common/flags.h"
#include "common/grpc_endpoints.h"
#include "common/signals.h"
#include "common/version.h"
#include "prometheus/exposer.h"

namespace mfr::agent {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"controller", "controller gRPC address", "127.0.0.1:7411"},
    {"host", "this host's identity (default: the machine's host name)", ""},
    {"mounts",
     "run: comma-separated mount points (default: every local xfs/ext4)", ""},
    {"interval-seconds", "run: seconds between snapshot rounds", "300"},
    {"root", "directory holding the host's /proc and /sys (containers: /host)",
     "/"},
    {"batch-size", "records + inode paths per upload message", "4096"},
    {"timeout-seconds", "deadline of one RPC or one snapshot upload", "600"},
    {"tls-cert", "PEM certificate naming this host (enables mTLS)", ""},
    {"tls-key", "PEM private key", ""},
    {"tls-ca", "PEM CA certificate of the controller", ""},
    {"state-dir",
     "run: durable state (report outbox, kmsg resume point, action journal)",
     "/var/lib/mfr-agent"},
    {"never-signal",
     "run: comma-separated command names (/proc/PID/comm) recovery never "
     "signals, besides pid 1, kernel threads and the agent",
     ""},
    {"dax-paths-for-testing",
     "run: treat files under these comma-separated path prefixes as DAX "
     "(TESTS ONLY: this lets the DAX kill path run without pmem)",
     ""},
    {"kmsg", "run: the kernel log device (default: ROOT/dev/kmsg)", ""},
    {"merge-window-ms", "run: merge adjacent reports seen within this time",
     "500"},
    {"pmem-poll-seconds",
     "run: seconds between polls of the pmem badblocks lists "
     "(ROOT/sys/block/pmem*/badblocks, ROOT/sys/bus/nd/devices/region*/"
     "badblocks, and `ndctl list --media-errors` when ndctl is on PATH and "
     "--root is /); 0 turns polling off",
     "10"},
    {"accept-user-kmsg-for-testing",
     "run: also accept /dev/kmsg lines written from user space (TESTS ONLY: "
     "lets anyone fake reports)",
     "", true},
    {"metrics-listen",
     "run: serve Prometheus metrics at http://HOST:PORT/metrics (empty: off)",
     ""},
    {"json", "parse-log: one JSON object per detected range", "", true},
    {"version", "print the version and exit", "", true},
};

constexpr char kSynopsis[] =
    "mfr-agent (run | snapshot MOUNT... | parse-log [FILE|-]) [flags]";
constexpr char kDescription[] =
    "The mfr host agent. Sends this host's block-device topology and\n"
    "reverse-map snapshots (XFS rmapbt: GETFSMAP; ext4 and others: FIEMAP of\n"
    "every file) to the controller.\n\n"
    "Commands:\n"
    "  run               register, snapshot every selected filesystem every\n"
    "                    --interval-seconds, and report damaged ranges from\n"
    "                    the kernel log and the pmem badblocks lists\n"
    "                    (through a durable outbox), and\n"
    "                    carry out the controller's recovery actions (kill\n"
    "                    DAX mappers, rewrite from the page cache, scrub,\n"
    "                    md check, snapshot refresh; each verified live\n"
    "                    first and run at most once) until SIGTERM\n"
    "  snapshot MOUNT... register and snapshot these mount points once\n"
    "  parse-log [FILE]  print the damaged ranges the agent would detect in a\n"
    "                    saved kernel log (dmesg, journalctl -k, /dev/kmsg\n"
    "                    dump; stdin when FILE is - or absent); no controller";

std::string DefaultHost() {
  char name[256] = {};
  return gethostname(name, sizeof(name) - 1) == 0 ? name : "";
}

absl::Status RunForever(SnapshotRunner& runner, absl::Duration interval,
                        const DetectionConfig& detection,
                        const ActionLoopConfig& actions,
                        const topology::HostRoot& root,
                        topology::FilesystemProbe* probe,
                        std::shared_ptr<grpc::Channel> channel) {
  absl::Notification stop;
  std::thread waiter([&stop] {
    const int signal = WaitForTerminationSignal();
    std::cout << "signal " << signal << ": stopping" << std::endl;
    stop.Notify();
  });
  waiter.detach();
  auto topology = topology::TopologyCollector(root, probe).Collect();
  if (!topology.ok()) return topology.status();
  absl::Status detection_status;
  std::thread detector_thread([&] {
    detection_status =
        RunDetection(detection, topology->topology, channel, stop, &std::cout);
    if (!detection_status.ok()) {
      std::cout << "detection stopped: " << detection_status << std::endl;
    }
  });
  std::thread action_thread([&] {
    absl::Status s = RunActionLoop(actions, &runner, channel, stop, &std::cout);
    if (!s.ok()) std::cout << "actions stopped: " << s << std::endl;
  });
  do {
    if (auto s = runner.RunOnce(); !s.ok()) {
      std::cout << "round failed, retrying in " << interval << ": " << s
                << std::endl;
    }
  } while (!stop.WaitForNotificationWithTimeout(interval));
  detector_thread.join();
  action_thread.join();
  return detection_status;
}

absl::Status RunParseLog(const std::vector<std::string>& args, bool json) {
  if (args.size() > 2) {
    return absl::InvalidArgumentError("parse-log takes at most one file");
  }
  std::ifstream file;
  const bool from_stdin = args.size() < 2 || args[1] == "-";
  if (!from_stdin) {
    file.open(args[1]);
    if (!file) {
      return absl::NotFoundError(absl::StrCat("cannot read ", args[1]));
    }
  }
  ParseLogCounts counts =
      ParseLog(from_stdin ? std::cin : file, std::cout, json);
  std::cerr << counts.lines << " lines, " << counts.ranges << " ranges, "
            << counts.rejected << " malformed kernel lines\n";
  return absl::OkStatus();
}

absl::Status Run(const ParsedFlags& flags) {
  const auto& args = flags.positional();
  if (!args.empty() && args[0] == "parse-log") {
    return RunParseLog(args, flags.GetBool("json"));
  }
  if (args.empty() || (args[0] != "run" && args[0] != "snapshot")) {
    return absl::InvalidArgumentError(
        "give a command: run, snapshot or parse-log");
  }
  const bool once = args[0] == "snapshot";
  if (once && args.size() < 2) {
    return absl::InvalidArgumentError(
        "snapshot needs at least one mount point");
  }
  if (!once && args.size() > 1) {
    return absl::InvalidArgumentError("run takes no arguments; use --mounts");
  }
  auto interval = flags.GetUint64("interval-seconds");
  auto timeout = flags.GetUint64("timeout-seconds");
  auto batch = flags.GetUint64("batch-size");
  for (const auto* v : {&interval, &timeout, &batch}) {
    if (!v->ok()) return v->status();
  }
  if (*interval == 0 || *batch == 0) {
    return absl::InvalidArgumentError(
        "--interval-seconds and --batch-size must be > 0");
  }
  TransportSecurity security{flags.Get("tls-cert"), flags.Get("tls-key"),
                             flags.Get("tls-ca")};
  if (!security.enabled()) {
    std::cerr
        << "WARNING: talking to the controller over PLAINTEXT gRPC without "
           "authentication; use --tls-* outside loopback tests\n";
  }
  auto channel = MakeChannel(flags.Get("controller"), security);
  if (!channel.ok()) return channel.status();
  ControllerClient client(mfr::v1::AgentService::NewStub(*channel),
                          absl::Seconds(*timeout));
  RunnerOptions options;
  options.host = flags.Get("host").empty() ? DefaultHost() : flags.Get("host");
  options.root.path = flags.Get("root");
  options.batch_size = *batch;
  options.dax_paths_for_testing = absl::StrSplit(
      flags.Get("dax-paths-for-testing"), ',', absl::SkipEmpty());
  if (once) {
    options.mount_points.assign(args.begin() + 1, args.end());
  } else if (!flags.Get("mounts").empty()) {
    options.mount_points =
        absl::StrSplit(flags.Get("mounts"), ',', absl::SkipEmpty());
  }
  AgentMetrics metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  if (!once && !flags.Get("metrics-listen").empty()) {
    try {
      exposer =
          std::make_unique<prometheus::Exposer>(flags.Get("metrics-listen"));
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--metrics-listen=", flags.Get("metrics-listen"), ": ", e.what()));
    }
    exposer->RegisterCollectable(metrics.registry());
    std::cout << "metrics on http://" << flags.Get("metrics-listen")
              << "/metrics" << std::endl;
  }
  options.metrics = &metrics;
  topology::LinuxFilesystemProbe probe(flags.Get("root"));
  SnapshotRunner runner(options, &client, &probe, &std::cout);
  std::cout << "mfr-agent " << kVersion << " host " << options.host
            << ", controller " << flags.Get("controller") << std::endl;
  if (once) return runner.RunOnce();
  auto window = flags.GetUint64("merge-window-ms");
  if (!window.ok()) return window.status();
  auto pmem_poll = flags.GetUint64("pmem-poll-seconds");
  if (!pmem_poll.ok()) return pmem_poll.status();
  DetectionConfig detection;
  detection.detector.host = options.host;
  detection.detector.kmsg_path =
      flags.Get("kmsg").empty()
          ? (std::filesystem::path(flags.Get("root")) / "dev/kmsg").string()
          : flags.Get("kmsg");
  detection.detector.policy.accept_user_facility_for_testing =
      flags.GetBool("accept-user-kmsg-for-testing");
  detection.detector.merge_window = absl::Milliseconds(*window);
  detection.state_dir = flags.Get("state-dir");
  detection.pmem.poll = absl::Seconds(*pmem_poll);
  detection.pmem.root = flags.Get("root");
  // ndctl reads the live /sys: only when the agent's root is the host's.
  const char* path = std::getenv("PATH");
  if (std::filesystem::path(flags.Get("root")) == "/" && path != nullptr) {
    detection.pmem.ndctl = pmem::FindNdctl(path);
  }
  if (detection.detector.policy.accept_user_facility_for_testing) {
    std::cerr << "WARNING: accepting user-space /dev/kmsg lines: anyone on "
                 "this host can fake damage reports (tests only)\n";
  }
  detection.metrics = &metrics;
  ActionLoopConfig actions;
  actions.metrics = &metrics;
  actions.host = options.host;
  actions.root = flags.Get("root").empty() ? "/" : flags.Get("root");
  actions.state_dir = detection.state_dir;
  actions.never_signal =
      absl::StrSplit(flags.Get("never-signal"), ',', absl::SkipEmpty());
  actions.dax_paths_for_testing = options.dax_paths_for_testing;
  return RunForever(runner, absl::Seconds(*interval), detection, actions,
                    options.root, &probe, *channel);
}

int Main(int argc, char** argv) {
  BlockTerminationSignals();
  std::cout << std::unitbuf;  // log lines reach pipes and files at once
  auto flags = ParseFlags({argv + 1, argv + argc}, kFlags);
  if (!flags.ok()) {
    std::cerr << "mfr-agent: " << flags.status().message() << " (see --help)\n";
    return 2;
  }
  if (flags->help()) {
    std::cout << Usage(kSynopsis, kDescription, kFlags);
    return 0;
  }
  if (flags->GetBool("version")) {
    std::cout << "mfr-agent " << kVersion << "\n";
    return 0;
  }
  absl::Status status = Run(*flags);
  if (!status.ok()) {
    std::cerr << "mfr-agent: " << absl::StatusCodeToString(status.code())
              << ": " << status.message() << "\n";
    return absl::IsInvalidArgument(status) ? 2 : 1;
  }
  return 0;
}

}  // namespace
}  // namespace mfr::agent

int main(int argc, char** argv) { return mfr::agent::Main(argc, argv); }
