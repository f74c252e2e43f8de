#include "tests/bench/reverse_map_phases.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/controller_client.h"
#include "common/grpc_endpoints.h"
#include "common/grpc_status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "mfr/v1/query_service.grpc.pb.h"
#include "storage/reverse_map_reader.h"
#include "storage/snapshot_writer.h"

namespace mfr::bench {
namespace {

using BatchSink = std::function<absl::Status(const mfr::v1::SnapshotChunk&)>;

mfr::v1::RegisterRequest MakeRegistration(const BenchFilesystem& fs) {
  mfr::v1::RegisterRequest request;
  request.set_host(fs.host);
  request.set_agent_version("reverse_map_bench");
  return request;
}

mfr::v1::SnapshotHeader MakeHeader(const IngestPlan& plan,
                                   const SyntheticSnapshot& data) {
  const BenchFilesystem& fs = plan.fs;
  mfr::v1::SnapshotHeader h;
  h.set_host(fs.host);
  h.set_mount_point("/srv");
  h.set_fs_uuid(absl::StrCat("bench-uuid-", fs.host));
  h.set_fs_type("xfs");
  h.set_device(fs.device);
  h.set_device_size_bytes(data.MaxEndBytes());
  h.set_generation(plan.generation);
  h.set_source(mfr::v1::SNAPSHOT_SOURCE_GETFSMAP);
  h.set_physical_order(true);
  h.mutable_taken()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  return h;
}

// Generates every batch into one reused chunk and hands it to `sink`; the
// time spent generating is added to result->generator_seconds.
absl::Status StreamBatches(SyntheticSnapshot& data, size_t batch_size,
                           const BatchSink& sink, IngestResult* result) {
  mfr::v1::SnapshotChunk chunk;
  mfr::v1::SnapshotBatch* batch = chunk.mutable_batch();
  for (;;) {
    Stopwatch generating;
    batch->Clear();
    const bool more = data.Next(batch_size, batch);
    result->generator_seconds += generating.Seconds();
    if (!more) return absl::OkStatus();
    ++result->batches;
    if (auto s = sink(chunk); !s.ok()) return s;
  }
}

void Fill(const mfr::v1::UploadSnapshotResponse& committed,
          const SyntheticSnapshot& data, IngestResult* result) {
  result->records = committed.records();
  result->inodes = committed.inodes();
  result->segments = committed.segments();
  result->end_bytes = data.end_bytes();
}

mfr::v1::QueryRangeRequest RandomQuery(const QueryPlan& plan,
                                       FastRandom& random) {
  mfr::v1::QueryRangeRequest request;
  request.set_host(plan.fs.host);
  request.set_device(plan.fs.device);
  const uint64_t last = (plan.end_bytes - plan.range_bytes) / plan.range_bytes;
  request.mutable_range()->set_offset_bytes(random.Between(0, last) *
                                            plan.range_bytes);
  request.mutable_range()->set_length_bytes(plan.range_bytes);
  return request;
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

// Answers one query; stores how many owner extents came back.
using QueryFn = std::function<absl::Status(const mfr::v1::QueryRangeRequest&,
                                           size_t* owners)>;

absl::StatusOr<QueryResult> MeasureQueries(const QueryPlan& plan,
                                           const QueryFn& query) {
  if (plan.end_bytes < plan.range_bytes) {
    return absl::InvalidArgumentError("nothing to query: no data ingested");
  }
  FastRandom random(plan.seed);
  const size_t warmup = std::min<size_t>(1000, plan.queries / 10);
  std::vector<double> micros;
  micros.reserve(plan.queries);
  uint64_t owners_total = 0;
  for (size_t i = 0; i < warmup + plan.queries; ++i) {
    const auto request = RandomQuery(plan, random);
    size_t owners = 0;
    Stopwatch one;
    if (auto s = query(request, &owners); !s.ok()) return s;
    if (i < warmup) continue;
    micros.push_back(one.Micros());
    owners_total += owners;
  }
  QueryResult result;
  result.owners_per_query = static_cast<double>(owners_total) / plan.queries;
  result.latency = Summarize(micros);
  return result;
}

}  // namespace

absl::StatusOr<IngestResult> IngestInProcess(BenchController& controller,
                                             const IngestPlan& plan) {
  if (auto s = controller.agent_core()->Register(MakeRegistration(plan.fs),
                                                 absl::Now());
      !s.ok()) {
    return s;
  }
  SyntheticSnapshot data(plan.data);
  IngestResult result;
  Stopwatch wall;
  auto writer = storage::SnapshotWriter::Begin(
      controller.db(), controller.registry(), MakeHeader(plan, data));
  if (!writer.ok()) return writer.status();
  auto add = [&writer](const mfr::v1::SnapshotChunk& chunk) {
    return (*writer)->AddBatch(chunk.batch());
  };
  if (auto s = StreamBatches(data, plan.batch_size, add, &result); !s.ok()) {
    return s;
  }
  auto committed = (*writer)->Commit(data.Footer());
  if (!committed.ok()) return committed.status();
  result.seconds = wall.Seconds();
  Fill(*committed, data, &result);
  return result;
}

absl::StatusOr<IngestResult> IngestOverGrpc(const std::string& address,
                                            const IngestPlan& plan) {
  auto channel = MakeChannel(address, {});
  if (!channel.ok()) return channel.status();
  agent::ControllerClient client(mfr::v1::AgentService::NewStub(*channel),
                                 absl::Hours(1));
  if (auto s = client.Register(MakeRegistration(plan.fs)); !s.ok()) return s;
  SyntheticSnapshot data(plan.data);
  IngestResult result;
  Stopwatch wall;
  auto upload = client.StartUpload();
  mfr::v1::SnapshotChunk edge;
  *edge.mutable_header() = MakeHeader(plan, data);
  absl::Status written = upload->Write(edge);
  auto write = [&upload](const mfr::v1::SnapshotChunk& chunk) {
    return upload->Write(chunk);
  };
  if (written.ok()) {
    written = StreamBatches(data, plan.batch_size, write, &result);
  }
  if (written.ok()) {
    *edge.mutable_footer() = data.Footer();
    written = upload->Write(edge);
  }
  // When the stream broke, the server's status says why.
  auto committed = upload->Finish();
  if (!committed.ok()) return committed.status();
  if (!written.ok()) return written;
  result.seconds = wall.Seconds();
  Fill(*committed, data, &result);
  return result;
}

absl::StatusOr<QueryResult> QueryInProcess(const controller::QueryCore& core,
                                           const QueryPlan& plan) {
  return MeasureQueries(
      plan, [&core](const mfr::v1::QueryRangeRequest& r, size_t* owners) {
        auto response = core.QueryRange(r);
        if (!response.ok()) return response.status();
        *owners = response->owners_size();
        return absl::OkStatus();
      });
}

absl::StatusOr<QueryResult> LookupInProcess(const BenchController& controller,
                                            const QueryPlan& plan) {
  const auto filesystems = controller.registry()->ListFilesystems(plan.fs.host);
  auto fs = std::find_if(
      filesystems.begin(), filesystems.end(),
      [&plan](const auto& f) { return f.device() == plan.fs.device; });
  if (fs == filesystems.end()) {
    return absl::NotFoundError(
        absl::StrCat("no filesystem on ", plan.fs.device));
  }
  storage::ReverseMapReader reader(controller.db());
  return MeasureQueries(plan, [&](const mfr::v1::QueryRangeRequest& r,
                                  size_t* owners) {
    auto view = controller.db()->Snapshot();
    const ByteSpan range{r.range().offset_bytes(), r.range().length_bytes()};
    auto found = reader.Lookup(*fs, range, view.get());
    if (!found.ok()) return found.status();
    *owners = found->size();
    return absl::OkStatus();
  });
}

absl::StatusOr<QueryResult> QueryOverGrpc(const std::string& address,
                                          const QueryPlan& plan) {
  auto channel = MakeChannel(address, {});
  if (!channel.ok()) return channel.status();
  auto stub = mfr::v1::QueryService::NewStub(*channel);
  return MeasureQueries(
      plan, [&stub](const mfr::v1::QueryRangeRequest& r, size_t* owners) {
        grpc::ClientContext context;
        context.set_deadline(Deadline());
        mfr::v1::QueryRangeResponse response;
        grpc::Status s = stub->QueryRange(&context, r, &response);
        if (!s.ok()) return FromGrpcStatus(s);
        *owners = response.owners_size();
        return absl::OkStatus();
      });
}

absl::StatusOr<LatencySummary> HealthCheckOverGrpc(const std::string& address,
                                                   size_t calls) {
  auto channel = MakeChannel(address, {});
  if (!channel.ok()) return channel.status();
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  std::vector<double> micros;
  micros.reserve(calls);
  for (size_t i = 0; i < calls + calls / 10; ++i) {  // 10 % warm-up
    grpc::ClientContext context;
    context.set_deadline(Deadline());
    grpc::health::v1::HealthCheckResponse response;
    Stopwatch one;
    grpc::Status s = stub->Check(&context, {}, &response);
    if (!s.ok()) return FromGrpcStatus(s);
    if (i >= calls / 10) micros.push_back(one.Micros());
  }
  return Summarize(micros);
}

}  // namespace mfr::bench
