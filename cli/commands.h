// mfrctl's commands. Each talks to the controller through the stubs it is
// given and prints a table, or the response as canonical JSON with --json.
#ifndef MFR_CLI_COMMANDS_H_
#define MFR_CLI_COMMANDS_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/flags.h"
#include "mfr/v1/agent_service.grpc.pb.h"
#include "mfr/v1/query_service.grpc.pb.h"

namespace mfr::cli {

struct Clients {
  std::unique_ptr<mfr::v1::QueryService::StubInterface> query;
  std::unique_ptr<mfr::v1::AgentService::StubInterface> agent;
  std::chrono::seconds timeout{30};
};

struct Command {
  const char* name;
  int arguments;  // positional arguments after the command name
  absl::Status (*run)(Clients& clients, const ParsedFlags& flags);
};

// Every command, in --help order.
const std::vector<Command>& Commands();

// The flags of all commands and the description for --help.
const std::vector<FlagSpec>& CommandFlags();
const char* CommandsHelp();

}  // namespace mfr::cli

#endif  // MFR_CLI_COMMANDS_H_
