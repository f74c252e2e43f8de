#include "cli/commands.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "agent/report/report_id.h"
#include "cli/render.h"
#include "common/grpc_status.h"
#include "common/proto_time.h"
#include "google/protobuf/util/json_util.h"

namespace mfr::cli {
namespace {

std::string ToJson(const google::protobuf::Message& m, bool multiline) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = multiline;
  options.always_print_primitive_fields = true;
  // Serialising a message we built cannot fail.
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

absl::Status Print(const google::protobuf::Message& m, const ParsedFlags& flags,
                   const std::string& table) {
  std::cout << (flags.GetBool("json") ? ToJson(m, true) : table);
  return absl::OkStatus();
}

std::unique_ptr<grpc::ClientContext> Context(const Clients& c) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + c.timeout);
  return ctx;
}

absl::Status ReadRange(const ParsedFlags& flags, mfr::v1::ByteRange* range) {
  if (auto s = flags.Require({"offset", "length"}); !s.ok()) return s;
  auto offset = flags.GetUint64("offset");
  if (!offset.ok()) return offset.status();
  auto length = flags.GetUint64("length");
  if (!length.ok()) return length.status();
  range->set_offset_bytes(*offset);
  range->set_length_bytes(*length);
  return absl::OkStatus();
}

std::string Operator(const ParsedFlags& flags) {
  if (!flags.Get("operator").empty()) return flags.Get("operator");
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

absl::StatusOr<mfr::v1::IncidentState> ReadState(const ParsedFlags& flags) {
  if (flags.Get("state").empty()) return mfr::v1::INCIDENT_STATE_UNSPECIFIED;
  auto state = ParseState(flags.Get("state"));
  if (!state) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown --state \"", flags.Get("state"),
                     "\" (open, recovered, partially_recovered, data_lost, "
                     "needs_attention, acknowledged, resolved)"));
  }
  return *state;
}

template <typename Request, typename Response, typename Call>
absl::Status Ask(Clients& c, const Request& request, Call call,
                 const ParsedFlags& flags,
                 std::string (*render)(const Response&)) {
  Response response;
  auto status = FromGrpcStatus(call(Context(c).get(), request, &response));
  if (!status.ok()) return status;
  return Print(response, flags, render(response));
}

absl::Status QueryRange(Clients& c, const ParsedFlags& flags) {
  if (auto s = flags.Require({"host"}); !s.ok()) return s;
  mfr::v1::QueryRangeRequest request;
  request.set_host(flags.Get("host"));
  if (!flags.Get("device").empty()) request.set_device(flags.Get("device"));
  if (!flags.Get("filesystem").empty()) {
    request.set_filesystem(flags.Get("filesystem"));
  }
  if (auto s = ReadRange(flags, request.mutable_range()); !s.ok()) return s;
  return Ask<mfr::v1::QueryRangeRequest, mfr::v1::QueryRangeResponse>(
      c, request,
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->QueryRange(ctx, r, out);
      },
      flags, RenderQueryRange);
}

absl::Status Hosts(Clients& c, const ParsedFlags& flags) {
  return Ask<mfr::v1::ListHostsRequest, mfr::v1::ListHostsResponse>(
      c, {},
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->ListHosts(ctx, r, out);
      },
      flags, RenderHosts);
}

absl::Status Report(Clients& c, const ParsedFlags& flags) {
  if (auto s = flags.Require({"host", "device"}); !s.ok()) return s;
  mfr::v1::CorruptRangeRequest request;
  request.set_host(flags.Get("host"));
  request.set_device(flags.Get("device"));
  if (auto s = ReadRange(flags, request.mutable_range()); !s.ok()) return s;
  std::string kind = absl::AsciiStrToUpper(flags.Get("kind"));
  mfr::v1::ErrorKind parsed;
  if (!mfr::v1::ErrorKind_Parse("ERROR_KIND_" + kind, &parsed)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown --kind \"", flags.Get("kind"),
        "\" (io, medium, poison, md_uncorrectable, fs_corruption)"));
  }
  request.set_kind(parsed);
  request.set_source(mfr::v1::ERROR_SOURCE_MANUAL);
  request.set_length_exact(true);
  *request.mutable_observed() = ToProtoTime(absl::Now());
  request.add_evidence("mfrctl report by an operator");
  request.set_report_id(agent::report::ComputeReportId(request));
  mfr::v1::CorruptRangeResponse response;
  auto status = FromGrpcStatus(
      c.agent->CorruptRange(Context(c).get(), request, &response));
  if (!status.ok()) return status;
  return Print(
      response, flags,
      absl::StrCat("incident ", response.incident_id(),
                   response.duplicate() ? " (already reported)" : "", "\n"));
}

absl::Status Incidents(Clients& c, const ParsedFlags& flags) {
  mfr::v1::ListIncidentsRequest request;
  request.set_host(flags.Get("host"));
  auto state = ReadState(flags);
  if (!state.ok()) return state.status();
  request.set_state(*state);
  request.set_page_token(flags.Get("page-token"));
  if (!flags.Get("since").empty()) {
    absl::Duration since;
    if (!absl::ParseDuration(flags.Get("since"), &since) ||
        since <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "--since must be a positive duration such as 30m or 2h");
    }
    *request.mutable_updated_after() = ToProtoTime(absl::Now() - since);
  }
  return Ask<mfr::v1::ListIncidentsRequest, mfr::v1::ListIncidentsResponse>(
      c, request,
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->ListIncidents(ctx, r, out);
      },
      flags, RenderIncidents);
}

absl::Status Incident(Clients& c, const ParsedFlags& flags) {
  mfr::v1::GetIncidentRequest request;
  request.set_id(flags.positional()[1]);
  return Ask<mfr::v1::GetIncidentRequest, mfr::v1::Incident>(
      c, request,
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->GetIncident(ctx, r, out);
      },
      flags, RenderIncident);
}

absl::Status Files(Clients& c, const ParsedFlags& flags) {
  mfr::v1::ListAffectedFilesRequest request;
  request.set_host(flags.Get("host"));
  auto state = ReadState(flags);
  if (!state.ok()) return state.status();
  request.set_state(*state);
  request.set_page_token(flags.Get("page-token"));
  return Ask<mfr::v1::ListAffectedFilesRequest,
             mfr::v1::ListAffectedFilesResponse>(
      c, request,
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->ListAffectedFiles(ctx, r, out);
      },
      flags, RenderAffectedFiles);
}

absl::Status Acknowledge(Clients& c, const ParsedFlags& flags) {
  mfr::v1::AcknowledgeIncidentRequest request;
  request.set_id(flags.positional()[1]);
  request.set_operator_(Operator(flags));
  request.set_comment(flags.Get("comment"));
  return Ask<mfr::v1::AcknowledgeIncidentRequest, mfr::v1::Incident>(
      c, request,
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->AcknowledgeIncident(ctx, r, out);
      },
      flags, RenderIncident);
}

absl::Status Resolve(Clients& c, const ParsedFlags& flags) {
  if (auto s = flags.Require({"comment"}); !s.ok()) return s;
  mfr::v1::ResolveIncidentRequest request;
  request.set_id(flags.positional()[1]);
  request.set_operator_(Operator(flags));
  request.set_comment(flags.Get("comment"));
  return Ask<mfr::v1::ResolveIncidentRequest, mfr::v1::Incident>(
      c, request,
      [&](auto* ctx, const auto& r, auto* out) {
        return c.query->ResolveIncident(ctx, r, out);
      },
      flags, RenderIncident);
}

absl::Status Watch(Clients& c, const ParsedFlags& flags) {
  mfr::v1::WatchIncidentsRequest request;
  request.set_host(flags.Get("host"));
  grpc::ClientContext ctx;  // until interrupted, or --timeout-seconds
  ctx.set_deadline(std::chrono::system_clock::now() + c.timeout);
  auto reader = c.query->WatchIncidents(&ctx, request);
  mfr::v1::Incident incident;
  while (reader->Read(&incident)) {
    std::cout << (flags.GetBool("json") ? ToJson(incident, false) + "\n"
                                        : RenderIncidentLine(incident))
              << std::flush;
  }
  auto status = FromGrpcStatus(reader->Finish());
  return absl::IsDeadlineExceeded(status) ? absl::OkStatus() : status;
}

}  // namespace

const std::vector<Command>& Commands() {
  static const auto* const kCommands = new std::vector<Command>{
      {"query-range", 0, QueryRange},
      {"hosts", 0, Hosts},
      {"report", 0, Report},
      {"incidents", 0, Incidents},
      {"incident", 1, Incident},
      {"files", 0, Files},
      {"watch", 0, Watch},
      {"ack", 1, Acknowledge},
      {"resolve", 1, Resolve},
  };
  return *kCommands;
}

const std::vector<FlagSpec>& CommandFlags() {
  static const auto* const kFlags = new std::vector<FlagSpec>{
      {"controller", "controller gRPC address", "127.0.0.1:7411"},
      {"json", "print the response as JSON (protobuf canonical mapping)", "",
       true},
      {"host",
       "the host name (required by query-range and report; a filter "
       "elsewhere)",
       ""},
      {"device", "kernel device name (e.g. loop0, sdb1)", ""},
      {"filesystem", "query-range: filesystem uuid or mount point instead", ""},
      {"offset", "first byte on the device", ""},
      {"length", "number of bytes", ""},
      {"kind", "report: io, medium, poison, md_uncorrectable, fs_corruption",
       "medium"},
      {"state", "incidents, files: only this state (open, data_lost, ...)", ""},
      {"page-token", "incidents, files: continue a listing", ""},
      {"since", "incidents: only those updated in the last DURATION (e.g. 1h)",
       ""},
      {"comment", "ack, resolve: what was done (required by resolve)", ""},
      {"operator", "ack, resolve: who you are (default: $USER)", ""},
      {"timeout-seconds", "RPC deadline; for watch, how long to watch", "30"},
      {"tls-cert", "PEM client certificate (mTLS)", ""},
      {"tls-key", "PEM private key", ""},
      {"tls-ca", "PEM CA certificate of the controller", ""},
      {"version", "print the version and exit", "", true},
  };
  return *kFlags;
}

const char* CommandsHelp() {
  return "Commands:\n"
         "  query-range --host=H (--device=D | --filesystem=UUID|MOUNT)\n"
         "              --offset=BYTES --length=BYTES\n"
         "      every owner of the byte range: files with paths and in-file\n"
         "      byte ranges (all owners of reflinked extents), metadata, free\n"
         "  hosts                    hosts, filesystems, snapshot freshness\n"
         "  report --host=H --device=D --offset=BYTES --length=BYTES "
         "[--kind=K]\n"
         "      report a damaged range by hand; prints the incident\n"
         "  incidents [--host=H] [--state=S] [--since=1h]   list incidents\n"
         "  incident ID              one incident: translation, owners, audit\n"
         "  files [--host=H] [--state=S]       damaged files, fleet-wide\n"
         "  watch [--host=H]         print incidents as they change\n"
         "  ack ID [--comment=TEXT]  acknowledge an incident\n"
         "  resolve ID --comment=TEXT   close an incident (e.g. \"restored "
         "from backup\")";
}

}  // namespace mfr::cli
