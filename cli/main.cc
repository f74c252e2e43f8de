// mfrctl: the operator's view of mfr. Dispatches to cli/commands.h.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "common/flags.h"
#include "common/grpc_endpoints.h"
#include "common/version.h"

namespace mfr::cli {
namespace {

constexpr char kSynopsis[] =
    "mfrctl [--controller=HOST:PORT] [--json] COMMAND [flags]";

absl::Status Run(const ParsedFlags& flags) {
  const auto& args = flags.positional();
  if (args.empty()) return absl::InvalidArgumentError("give a command");
  const Command* command = nullptr;
  for (const Command& c : Commands()) {
    if (args[0] == c.name) command = &c;
  }
  if (command == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command \"", args[0], "\""));
  }
  if (static_cast<int>(args.size()) != command->arguments + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(args[0], " takes ", command->arguments, " argument(s)"));
  }
  auto timeout = flags.GetUint64("timeout-seconds");
  if (!timeout.ok()) return timeout.status();
  auto channel = MakeChannel(
      flags.Get("controller"),
      {flags.Get("tls-cert"), flags.Get("tls-key"), flags.Get("tls-ca")});
  if (!channel.ok()) return channel.status();
  Clients clients{mfr::v1::QueryService::NewStub(*channel),
                  mfr::v1::AgentService::NewStub(*channel),
                  std::chrono::seconds(*timeout)};
  return command->run(clients, flags);
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags({argv + 1, argv + argc}, CommandFlags());
  if (!flags.ok()) {
    std::cerr << "mfrctl: " << flags.status().message() << " (see --help)\n";
    return 2;
  }
  if (flags->help()) {
    std::cout << Usage(kSynopsis, CommandsHelp(), CommandFlags());
    return 0;
  }
  if (flags->GetBool("version")) {
    std::cout << "mfrctl " << kVersion << "\n";
    return 0;
  }
  absl::Status status = Run(*flags);
  if (!status.ok()) {
    std::cerr << "mfrctl: " << absl::StatusCodeToString(status.code()) << ": "
              << status.message() << "\n";
    return absl::IsInvalidArgument(status) ? 2 : 1;
  }
  return 0;
}

}  // namespace
}  // namespace mfr::cli

int main(int argc, char** argv) { return mfr::cli::Main(argc, argv); }
