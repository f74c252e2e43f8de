// incident_bench: report-to-incident latency and incident queries at fleet
// scale, through the real gRPC services on loopback.
//
// --hosts simulated hosts register a topology (disk sdb, partition sdb1 at
// 1 MiB holding an XFS at /data) and upload a snapshot of --files files;
// then --reports CorruptRange reports land on random hosts' disks (each
// translated through the partition and looked up in the reverse map), and
// ListIncidents / GetIncident run against the result. Prints figures next
// to the targets; never fails on them.
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/flags.h"
#include "common/grpc_endpoints.h"
#include "controller/controller_node.h"
#include "tests/bench/bench_util.h"

namespace mfr::bench {
namespace {

constexpr uint64_t kPartitionStart = 1 << 20;
constexpr uint64_t kFileBytes = 64 << 10;

const std::vector<FlagSpec> kFlags = {
    {"hosts", "simulated reporting hosts", "1000"},
    {"files", "files per host's snapshot (64 KiB each)", "1000"},
    {"reports", "CorruptRange reports over gRPC", "10000"},
    {"queries", "ListIncidents and GetIncident calls each", "5000"},
};

mfr::v1::RegisterRequest Host(const std::string& name, uint64_t fs_bytes) {
  mfr::v1::RegisterRequest r;
  r.set_host(name);
  auto* t = r.mutable_topology();
  auto* disk = t->add_devices();
  disk->set_name("sdb");
  disk->set_size_bytes(kPartitionStart + fs_bytes);
  disk->set_logical_block_size_bytes(512);
  auto* part = t->add_devices();
  part->set_name("sdb1");
  part->set_size_bytes(fs_bytes);
  part->mutable_partition()->set_parent("sdb");
  part->mutable_partition()->set_number(1);
  part->mutable_partition()->set_start_bytes(kPartitionStart);
  auto* mount = t->add_mounts();
  mount->set_mount_point("/data");
  mount->set_device("sdb1");
  mount->set_fs_type("xfs");
  mount->set_root("/");
  return r;
}

absl::Status Upload(controller::AgentCore* core, const std::string& host,
                    uint64_t files) {
  auto upload = core->StartUpload(absl::Now());
  auto allow = [](const std::string&) { return absl::OkStatus(); };
  mfr::v1::SnapshotChunk chunk;
  auto* h = chunk.mutable_header();
  h->set_host(host);
  h->set_mount_point("/data");
  h->set_device("sdb1");
  h->set_fs_type("xfs");
  h->set_generation(1);
  h->set_physical_order(true);
  if (auto s = upload->Accept(chunk, allow); !s.ok()) return s;
  chunk.Clear();
  auto* batch = chunk.mutable_batch();
  for (uint64_t i = 0; i < files; ++i) {
    auto* r = batch->add_records();
    r->set_physical_offset_bytes(i * kFileBytes);
    r->set_length_bytes(kFileBytes);
    r->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
    r->set_inode(100 + i);
    auto* p = batch->add_inodes();
    p->set_inode(100 + i);
    p->add_paths(absl::StrCat("dir/file", i));
  }
  if (auto s = upload->Accept(chunk, allow); !s.ok()) return s;
  chunk.Clear();
  chunk.mutable_footer()->set_record_count(files);
  chunk.mutable_footer()->set_inode_count(files);
  if (auto s = upload->Accept(chunk, allow); !s.ok()) return s;
  return upload->Finish().status();
}

absl::Status Run(const ParsedFlags& flags) {
  uint64_t hosts, files, reports, queries;
  for (auto [name, out] : {std::pair{"hosts", &hosts},
                           {"files", &files},
                           {"reports", &reports},
                           {"queries", &queries}}) {
    auto v = flags.GetUint64(name);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  auto dir = ScopedTempDir::Create("", "mfr-incident-bench-");
  if (!dir.ok()) return dir.status();
  controller::ControllerNodeOptions options;
  options.db.path = (dir->path() / "db").string();
  auto node = controller::ControllerNode::Open(options);
  if (!node.ok()) return node.status();
  int port = 0;
  auto server = StartServer("127.0.0.1:0", {}, (*node)->services(), &port);
  if (!server.ok()) return server.status();
  auto channel = MakeChannel(absl::StrCat("127.0.0.1:", port), {});
  auto agent = mfr::v1::AgentService::NewStub(*channel);
  auto query = mfr::v1::QueryService::NewStub(*channel);

  Stopwatch setup;
  for (uint64_t h = 0; h < hosts; ++h) {
    const std::string name = absl::StrCat("host-", h);
    if (auto s = (*node)->agent_core()->Register(Host(name, files * kFileBytes),
                                                 absl::Now());
        !s.ok()) {
      return s;
    }
    if (auto s = Upload((*node)->agent_core(), name, files); !s.ok()) return s;
  }
  std::cout << absl::StrFormat("setup: %d hosts x %d files in %.1f s\n", hosts,
                               files, setup.Seconds());

  std::mt19937_64 rng(7);
  std::vector<double> report_us;
  std::vector<std::string> ids;
  for (uint64_t i = 0; i < reports; ++i) {
    mfr::v1::CorruptRangeRequest r;
    r.set_report_id(absl::StrCat("bench-", i));
    r.set_host(absl::StrCat("host-", rng() % hosts));
    r.set_device("sdb");
    r.mutable_range()->set_offset_bytes(kPartitionStart +
                                        (rng() % (files * 16)) * 4096);
    r.mutable_range()->set_length_bytes(512);
    r.set_source(mfr::v1::ERROR_SOURCE_KMSG);
    r.set_kind(mfr::v1::ERROR_KIND_MEDIUM);
    grpc::ClientContext ctx;
    mfr::v1::CorruptRangeResponse response;
    Stopwatch t;
    auto s = agent->CorruptRange(&ctx, r, &response);
    report_us.push_back(t.Micros());
    if (!s.ok()) return absl::InternalError(s.error_message());
    ids.push_back(response.incident_id());
  }
  LatencySummary reported = Summarize(report_us);

  std::vector<double> list_us, get_us;
  for (uint64_t i = 0; i < queries; ++i) {
    grpc::ClientContext list_ctx, get_ctx;
    mfr::v1::ListIncidentsRequest list;
    list.set_host(absl::StrCat("host-", rng() % hosts));
    mfr::v1::ListIncidentsResponse listed;
    Stopwatch t;
    if (!query->ListIncidents(&list_ctx, list, &listed).ok()) {
      return absl::InternalError("ListIncidents failed");
    }
    list_us.push_back(t.Micros());
    mfr::v1::GetIncidentRequest get;
    get.set_id(ids[rng() % ids.size()]);
    mfr::v1::Incident incident;
    Stopwatch g;
    if (!query->GetIncident(&get_ctx, get, &incident).ok()) {
      return absl::InternalError("GetIncident failed");
    }
    get_us.push_back(g.Micros());
  }
  LatencySummary listed = Summarize(list_us), got = Summarize(get_us);
  std::cout << absl::StrFormat(
      "\n== summary: %d hosts, %d reports -> incidents\n"
      "CorruptRange -> incident stored (gRPC)  p50 %7.1f us  p99 %7.1f us  "
      "target p99 <= 20 ms  %s\n"
      "ListIncidents by host                   p50 %7.1f us  p99 %7.1f us  "
      "(%.0f queries/s)\n"
      "GetIncident                             p50 %7.1f us  p99 %7.1f us  "
      "(%.0f queries/s)\n"
      "peak RSS %.1f MiB\n",
      hosts, reports, reported.p50_us, reported.p99_us,
      reported.p99_us <= 20000 ? "MET" : "MISSED", listed.p50_us, listed.p99_us,
      1e6 / listed.mean_us, got.p50_us, got.p99_us, 1e6 / got.mean_us,
      PeakRssKb() / 1024.0);
  (*server)->Shutdown();
  return absl::OkStatus();
}

}  // namespace
}  // namespace mfr::bench

int main(int argc, char** argv) {
  auto flags = mfr::ParseFlags({argv + 1, argv + argc}, mfr::bench::kFlags);
  if (!flags.ok() || flags->help()) {
    std::cerr << mfr::Usage("incident_bench [--hosts=N] [--reports=N]",
                            "Report-to-incident latency at fleet scale.",
                            mfr::bench::kFlags);
    return flags.ok() ? 0 : 2;
  }
  auto status = mfr::bench::Run(*flags);
  if (!status.ok()) {
    std::cerr << "incident_bench: " << status << "\n";
    return 1;
  }
  return 0;
}
