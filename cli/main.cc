// mfrctl: asks the mfr controller which files live at a device range and
// which hosts report. Output is a table, or with --json the response in
// protobuf's canonical JSON mapping.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/render.h"
#include "common/flags.h"
#include "common/grpc_endpoints.h"
#include "common/grpc_status.h"
#include "common/version.h"
#include "google/protobuf/util/json_util.h"
#include "mfr/v1/query_service.grpc.pb.h"

namespace mfr::cli {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"controller", "controller gRPC address", "127.0.0.1:7411"},
    {"json", "print the response as JSON (protobuf canonical mapping)", "",
     true},
    {"host", "query-range: the host name", ""},
    {"device", "query-range: kernel device name (e.g. loop0, sdb1)", ""},
    {"filesystem", "query-range: filesystem uuid or mount point instead", ""},
    {"offset", "query-range: first byte on the device", ""},
    {"length", "query-range: number of bytes", ""},
    {"timeout-seconds", "RPC deadline", "30"},
    {"tls-cert", "PEM client certificate (mTLS)", ""},
    {"tls-key", "PEM private key", ""},
    {"tls-ca", "PEM CA certificate of the controller", ""},
    {"version", "print the version and exit", "", true},
};

constexpr char kSynopsis[] =
    "mfrctl [--controller=HOST:PORT] [--json] COMMAND [flags]";
constexpr char kDescription[] =
    "Commands:\n"
    "  query-range --host=H (--device=D | --filesystem=UUID|MOUNT)\n"
    "              --offset=BYTES --length=BYTES\n"
    "      every owner of the byte range: files with paths and in-file byte\n"
    "      ranges (all owners of reflinked extents), metadata, free space\n"
    "  hosts\n"
    "      hosts with their filesystems and snapshot freshness";

absl::Status Print(const google::protobuf::Message& m, bool json,
                   const std::string& table) {
  if (!json) {
    std::cout << table;
    return absl::OkStatus();
  }
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  auto s = google::protobuf::util::MessageToJsonString(m, &out, options);
  if (!s.ok()) return absl::InternalError(s.ToString());
  std::cout << out;
  return absl::OkStatus();
}

absl::Status QueryRange(mfr::v1::QueryService::Stub& stub,
                        grpc::ClientContext* ctx, const ParsedFlags& flags) {
  if (auto s = flags.Require({"host", "offset", "length"}); !s.ok()) return s;
  mfr::v1::QueryRangeRequest request;
  request.set_host(flags.Get("host"));
  if (!flags.Get("device").empty()) request.set_device(flags.Get("device"));
  if (!flags.Get("filesystem").empty())
    request.set_filesystem(flags.Get("filesystem"));
  auto offset = flags.GetUint64("offset");
  if (!offset.ok()) return offset.status();
  auto length = flags.GetUint64("length");
  if (!length.ok()) return length.status();
  request.mutable_range()->set_offset_bytes(*offset);
  request.mutable_range()->set_length_bytes(*length);
  mfr::v1::QueryRangeResponse response;
  auto status = FromGrpcStatus(stub.QueryRange(ctx, request, &response));
  if (!status.ok()) return status;
  return Print(response, flags.GetBool("json"), RenderQueryRange(response));
}

absl::Status Hosts(mfr::v1::QueryService::Stub& stub, grpc::ClientContext* ctx,
                   const ParsedFlags& flags) {
  mfr::v1::ListHostsResponse response;
  auto status = FromGrpcStatus(stub.ListHosts(ctx, {}, &response));
  if (!status.ok()) return status;
  return Print(response, flags.GetBool("json"), RenderHosts(response));
}

absl::Status Run(const ParsedFlags& flags) {
  if (flags.positional().size() != 1) {
    return absl::InvalidArgumentError("give exactly one command");
  }
  const std::string& command = flags.positional()[0];
  if (command != "query-range" && command != "hosts") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command \"", command, "\""));
  }
  auto timeout = flags.GetUint64("timeout-seconds");
  if (!timeout.ok()) return timeout.status();
  auto channel = MakeChannel(
      flags.Get("controller"),
      {flags.Get("tls-cert"), flags.Get("tls-key"), flags.Get("tls-ca")});
  if (!channel.ok()) return channel.status();
  auto stub = mfr::v1::QueryService::NewStub(*channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(*timeout));
  return command == "hosts" ? Hosts(*stub, &ctx, flags)
                            : QueryRange(*stub, &ctx, flags);
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags({argv + 1, argv + argc}, kFlags);
  if (!flags.ok()) {
    std::cerr << "mfrctl: " << flags.status().message() << " (see --help)\n";
    return 2;
  }
  if (flags->help()) {
    std::cout << Usage(kSynopsis, kDescription, kFlags);
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
