// mfr-controller: the composition root. Reads flags and the optional config
// file, opens RocksDB, wires the cores into gRPC services and serves until
// SIGINT/SIGTERM.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/flags.h"
#include "common/grpc_endpoints.h"
#include "common/signals.h"
#include "common/version.h"
#include "controller/controller_node.h"
#include "google/protobuf/text_format.h"
#include "mfr/v1/config.pb.h"
#include "prometheus/exposer.h"

namespace mfr::controller {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"listen", "gRPC address to serve agents and users on (port 0: any)",
     "127.0.0.1:7411"},
    {"db", "RocksDB directory (created if missing)", ""},
    {"metrics-listen", "Prometheus /metrics address; empty: off", ""},
    {"config", "text-format mfr.v1.ControllerConfig; flags override it", ""},
    {"block-cache-bytes", "RocksDB block cache size", "268435456"},
    {"tls-cert", "PEM certificate (enables mTLS with --tls-key, --tls-ca)", ""},
    {"tls-key", "PEM private key", ""},
    {"tls-ca", "PEM CA certificate that signs every peer", ""},
    {"policy",
     "recovery policy file (text mfr.v1.RecoveryPolicy), reread "
     "when it changes; unset: every action enabled, SIGBUS, 10 kills/host/min",
     ""},
    {"version", "print the version and exit", "", true},
};

constexpr char kDescription[] =
    "The mfr controller: keeps the fleet's reverse map (physical range ->\n"
    "files and metadata) in RocksDB, receives agents' topology and\n"
    "snapshots, and answers queries (mfrctl). Serves gRPC health checking\n"
    "and server reflection.";

absl::StatusOr<mfr::v1::ControllerConfig> LoadConfig(const ParsedFlags& flags) {
  mfr::v1::ControllerConfig config;
  if (!flags.Get("config").empty()) {
    std::ifstream in(flags.Get("config"));
    std::stringstream text;
    text << in.rdbuf();
    if (!in ||
        !google::protobuf::TextFormat::ParseFromString(text.str(), &config)) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot parse config file ", flags.Get("config")));
    }
  }
  auto set = [&](const char* flag, std::string* field) {
    if (!flags.Get(flag).empty()) *field = flags.Get(flag);
  };
  if (config.listen().empty()) config.set_listen(flags.Get("listen"));
  set("db", config.mutable_db());
  set("metrics-listen", config.mutable_metrics_listen());
  set("tls-cert", config.mutable_tls()->mutable_cert_file());
  set("tls-key", config.mutable_tls()->mutable_key_file());
  set("tls-ca", config.mutable_tls()->mutable_ca_file());
  set("policy", config.mutable_policy_file());
  if (config.block_cache_bytes() == 0) {
    auto bytes = flags.GetUint64("block-cache-bytes");
    if (!bytes.ok()) return bytes.status();
    config.set_block_cache_bytes(*bytes);
  }
  if (config.db().empty())
    return absl::InvalidArgumentError("--db is required");
  return config;
}

absl::Status Serve(const mfr::v1::ControllerConfig& config) {
  ControllerNodeOptions options;
  options.db = {config.db(), config.block_cache_bytes()};
  options.policy_file = config.policy_file();
  if (config.memtable_budget_bytes() != 0) {
    options.db.memtable_budget_bytes = config.memtable_budget_bytes();
  }
  auto node = ControllerNode::Open(options);
  if (!node.ok()) return node.status();
  std::unique_ptr<prometheus::Exposer> exposer;
  if (!config.metrics_listen().empty()) {
    exposer = std::make_unique<prometheus::Exposer>(config.metrics_listen());
    for (const auto& collectable : (*node)->metrics().collectables()) {
      exposer->RegisterCollectable(collectable);
    }
    std::cout << "metrics on http://" << config.metrics_listen()
              << "/metrics\n";
  }
  TransportSecurity security{config.tls().cert_file(), config.tls().key_file(),
                             config.tls().ca_file()};
  int port = 0;
  auto server =
      StartServer(config.listen(), security, (*node)->services(), &port);
  if (!server.ok()) return server.status();
  std::cout << "mfr-controller " << kVersion << " listening on port " << port
            << " (" << config.listen() << "), db " << config.db() << std::endl;
  const int signal = WaitForTerminationSignal();
  std::cout << "signal " << signal << ": shutting down" << std::endl;
  (*node)->CloseAgentStreams();
  (*server)->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  BlockTerminationSignals();
  const std::string synopsis =
      "mfr-controller --db=DIR [--listen=HOST:PORT] [flags]";
  auto flags = ParseFlags({argv + 1, argv + argc}, kFlags);
  if (!flags.ok()) {
    std::cerr << "mfr-controller: " << flags.status().message()
              << " (see --help)\n";
    return 2;
  }
  if (flags->help()) {
    std::cout << Usage(synopsis, kDescription, kFlags);
    return 0;
  }
  if (flags->GetBool("version")) {
    std::cout << "mfr-controller " << kVersion << "\n";
    return 0;
  }
  auto config = LoadConfig(*flags);
  absl::Status status = config.ok() ? Serve(*config) : config.status();
  if (!status.ok()) {
    std::cerr << "mfr-controller: " << status.message() << "\n";
    return absl::IsInvalidArgument(status) ? 2 : 1;
  }
  return 0;
}

}  // namespace
}  // namespace mfr::controller

int main(int argc, char** argv) { return mfr::controller::Main(argc, argv); }
