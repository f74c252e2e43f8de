// reverse_map_bench: the controller's reverse map at scale, in one run on a
// fresh RocksDB in a temporary directory (removed at exit):
//   a. a synthetic GETFSMAP-style snapshot of --records records through
//      SnapshotWriter in this process (segment builder + RocksDB);
//   b. the same data again, as the filesystem's next snapshot generation
//      (what an agent's periodic re-snapshot does), through the agent's gRPC
//      upload client into an in-process controller on 127.0.0.1; the commit
//      replaces (a), so the database then holds N live segments;
//   c. QueryRange latency at N segments: QueryCore in-process, first with
//      the block cache cold (the first queries after a snapshot replaced
//      the data), then in the steady state (new ranges, the cache warmed by
//      the first pass), and the ReverseMapReader under it alone; the
//      QueryService over gRPC on loopback, and a no-op gRPC call as the
//      transport's floor;
//   d. the database size and this process's peak RSS.
// Prints figures next to the targets; never fails on a missed target.
// Build with -c opt: fastbuild figures say little.
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "common/flags.h"
#include "tests/bench/bench_controller.h"
#include "tests/bench/bench_util.h"
#include "tests/bench/reverse_map_phases.h"
#include "tests/bench/synthetic_snapshot.h"

namespace mfr::bench {
namespace {

// Targets from the issue, printed next to the figures.
constexpr double kTargetGrpcIngestPerSecond = 1e6;
constexpr double kTargetInProcessP99Us = 20;
constexpr double kTargetGrpcP99Us = 500;
constexpr uint64_t kTargetPeakRssKb = 512 * 1024;

const std::vector<FlagSpec> kFlags = {
    {"records", "records in the synthetic snapshot", "10000000"},
    {"queries", "in-process QueryRange calls measured", "100000"},
    {"grpc-queries", "QueryRange calls over gRPC measured", "20000"},
    {"batch-size", "records per SnapshotBatch", "4096"},
    {"shared-percent", "file records followed by a reflinked owner", "5"},
    {"paths", "send an inode path per file after the records", "true", true},
    {"settle", "before querying, wait for RocksDB's flushes and compactions",
     "true", true},
    {"block-cache-bytes", "RocksDB block cache (the controller's default)",
     "268435456"},
    {"dir", "parent of the temporary database directory (default: $TMPDIR)",
     ""},
};

constexpr char kSynopsis[] = "reverse_map_bench [--records=N] [flags]";
constexpr char kDescription[] =
    "Measures snapshot ingest (in-process and over gRPC), QueryRange\n"
    "latency (in-process and over gRPC), RocksDB size and peak RSS of the\n"
    "controller's reverse map with a synthetic GETFSMAP-style snapshot.\n"
    "Prints figures next to their targets; the exit code ignores targets.";

struct Config {
  SyntheticOptions data;
  size_t queries = 0, grpc_queries = 0, batch_size = 0;
  storage::DbOptions db;
  std::string dir;
  bool settle = true;
};

absl::StatusOr<Config> ParseConfig(const ParsedFlags& flags) {
  uint64_t records, queries, grpc_queries, batch, shared, cache;
  const std::pair<const char*, uint64_t*> numbers[] = {
      {"records", &records},           {"queries", &queries},
      {"grpc-queries", &grpc_queries}, {"batch-size", &batch},
      {"shared-percent", &shared},     {"block-cache-bytes", &cache},
  };
  for (const auto& [name, out] : numbers) {
    auto v = flags.GetUint64(name);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  if (records == 0 || queries == 0 || grpc_queries == 0 || batch == 0 ||
      shared > 100) {
    return absl::InvalidArgumentError(
        "counts and --batch-size must be > 0, --shared-percent <= 100");
  }
  Config c;
  c.data.records = records;
  c.data.shared_fraction = shared / 100.0;
  c.data.with_paths = flags.GetBool("paths");
  c.settle = flags.GetBool("settle");
  c.queries = queries;
  c.grpc_queries = grpc_queries;
  c.batch_size = batch;
  c.db.block_cache_bytes = cache;
  c.dir = flags.Get("dir");
  return c;
}

std::string Verdict(bool met) { return met ? "MET" : "MISSED"; }

void PrintPeakRss(const char* when) {
  std::cout << absl::StrFormat("    peak RSS %s: %s (now %s)", when,
                               Mebibytes(PeakRssKb() * 1024),
                               Mebibytes(CurrentRssKb() * 1024))
            << std::endl;
}

void PrintIngest(const char* what, const IngestResult& r) {
  std::cout << absl::StrFormat(
                   "%s: %d records + %d inode paths -> %d segments in %.2f s "
                   "= %.0f records/s\n    (%d batches; generating the data "
                   "took %.2f s of it; without it %.0f records/s)",
                   what, r.records, r.inodes, r.segments, r.seconds,
                   r.records / r.seconds, r.batches, r.generator_seconds,
                   r.records / (r.seconds - r.generator_seconds))
            << std::endl;
}

void PrintQueries(const char* what, const QueryResult& r) {
  std::cout << absl::StrFormat("%s: %s; %.2f owners per query", what,
                               FormatLatency(r.latency), r.owners_per_query)
            << std::endl;
}

struct Figures {
  IngestResult in_process, grpc;
  // In-process queries: first with a block cache that has not seen the new
  // generation yet (cold), then new ranges once it has (steady state).
  QueryResult query_cold, query_steady, lookup_only, query_grpc;
  LatencySummary grpc_floor;
  uint64_t db_bytes_one_generation = 0, db_bytes = 0, db_dir_bytes = 0;
  uint64_t peak_rss_kb = 0;
};

std::string LatencyLine(const char* what, const LatencySummary& s,
                        double target_us) {
  return absl::StrFormat(
      "%-18s p50 %6.1f us  p99 %6.1f us  target p99 <= %.0f us  %s\n", what,
      s.p50_us, s.p99_us, target_us, Verdict(s.p99_us <= target_us));
}

void PrintSummary(const Config& config, const Figures& f) {
  const double grpc_rate = f.grpc.records / f.grpc.seconds;
#ifdef NDEBUG
  const char* build = "";
#else
  const char* build = "  [NOT OPTIMIZED: rebuild with -c opt]";
#endif
  std::cout << absl::StrFormat("\n== summary: %d records -> %d segments%s\n",
                               config.data.records, f.grpc.segments, build)
            << absl::StrFormat("ingest in-process  %9.0f records/s\n",
                               f.in_process.records / f.in_process.seconds)
            << absl::StrFormat(
                   "ingest over gRPC   %9.0f records/s  target >= %.0f  %s\n",
                   grpc_rate, kTargetGrpcIngestPerSecond,
                   Verdict(grpc_rate >= kTargetGrpcIngestPerSecond))
            << LatencyLine("QueryRange local", f.query_steady.latency,
                           kTargetInProcessP99Us)
            << LatencyLine("QueryRange gRPC", f.query_grpc.latency,
                           kTargetGrpcP99Us)
            << absl::StrFormat(
                   "  (local is the steady state; with the block cache cold, "
                   "right after the upload: p50 %.1f us, p99 %.1f us;\n"
                   "   ReverseMapReader alone: p50 %.1f us, p99 %.1f us; "
                   "gRPC floor, a no-op health Check: p50 %.1f us, "
                   "p99 %.1f us)\n",
                   f.query_cold.latency.p50_us, f.query_cold.latency.p99_us,
                   f.lookup_only.latency.p50_us, f.lookup_only.latency.p99_us,
                   f.grpc_floor.p50_us, f.grpc_floor.p99_us)
            << absl::StrFormat(
                   "RocksDB size       %s with one generation (after [a]); "
                   "%s at the end\n                   (directory %s), while "
                   "[a]'s deleted generation awaits compaction\n",
                   Mebibytes(f.db_bytes_one_generation), Mebibytes(f.db_bytes),
                   Mebibytes(f.db_dir_bytes))
            << absl::StrFormat(
                   "peak RSS           %s  target <= %s at 10M segments  %s\n",
                   Mebibytes(f.peak_rss_kb * 1024),
                   Mebibytes(kTargetPeakRssKb * 1024),
                   Verdict(f.peak_rss_kb <= kTargetPeakRssKb));
}

absl::Status RunIngest(const Config& config, BenchController& controller,
                       const BenchFilesystem& fs, Figures* f) {
  IngestPlan plan{fs, config.data, config.batch_size, /*generation=*/1};
  std::cout << "[a] in-process ingest (SnapshotWriter)..." << std::endl;
  auto a = IngestInProcess(controller, plan);
  if (!a.ok()) return a.status();
  f->in_process = *a;
  PrintIngest("[a] in-process ingest", *a);
  f->db_bytes_one_generation = controller.db()->ApproximateSizeBytes();
  std::cout << "    RocksDB size after [a] (one generation): "
            << Mebibytes(f->db_bytes_one_generation) << std::endl;
  PrintPeakRss("after [a]");

  std::cout << "[b] gRPC ingest (ControllerClient -> AgentService), "
               "replacing [a]..."
            << std::endl;
  plan.generation = 2;
  auto b = IngestOverGrpc(controller.address(), plan);
  if (!b.ok()) return b.status();
  f->grpc = *b;
  PrintIngest("[b] gRPC ingest", *b);
  PrintPeakRss("after [b]");
  return absl::OkStatus();
}

absl::Status RunQueries(const Config& config, BenchController& controller,
                        const BenchFilesystem& fs, Figures* f) {
  if (config.settle) {
    std::cout << "    waiting for RocksDB compactions to finish..."
              << std::flush;
    std::cout << absl::StrFormat(" %.1f s",
                                 controller.WaitForBackgroundWork(600))
              << std::endl;
  }
  std::cout << "    RocksDB while querying: " << controller.DescribeRocksDb()
            << std::endl;
  QueryPlan plan{fs, f->grpc.end_bytes, 4096, config.queries};
  auto cold = QueryInProcess(*controller.query_core(), plan);
  if (!cold.ok()) return cold.status();
  f->query_cold = *cold;
  PrintQueries("[c] QueryRange in-process (QueryCore), block cache cold",
               *cold);
  plan.seed += 1;  // every pass asks for ranges no earlier pass asked for
  auto steady = QueryInProcess(*controller.query_core(), plan);
  if (!steady.ok()) return steady.status();
  f->query_steady = *steady;
  PrintQueries("[c] QueryRange in-process (QueryCore), steady state", *steady);
  plan.seed += 1;
  auto reader = LookupInProcess(controller, plan);
  if (!reader.ok()) return reader.status();
  f->lookup_only = *reader;
  PrintQueries("[c] ReverseMapReader::Lookup alone, steady state", *reader);

  plan.queries = config.grpc_queries;
  plan.seed += 1;
  auto remote = QueryOverGrpc(controller.address(), plan);
  if (!remote.ok()) return remote.status();
  f->query_grpc = *remote;
  PrintQueries("[c] QueryRange over gRPC (loopback)", *remote);
  auto floor = HealthCheckOverGrpc(controller.address(), config.grpc_queries);
  if (!floor.ok()) return floor.status();
  f->grpc_floor = *floor;
  std::cout << "[c] gRPC floor (health Check, no work): "
            << FormatLatency(*floor) << std::endl;
  PrintPeakRss("after [c]");
  return absl::OkStatus();
}

absl::Status Run(const Config& config) {
  auto dir = ScopedTempDir::Create(config.dir, "mfr-reverse-map-bench-");
  if (!dir.ok()) return dir.status();
  storage::DbOptions db_options = config.db;
  db_options.path = (dir->path() / "db").string();
  std::cout << absl::StrFormat(
      "reverse_map_bench: %d records (%.0f%% shared, paths %s), batches of "
      "%d, block cache %s, db in %s\n",
      config.data.records, config.data.shared_fraction * 100,
      config.data.with_paths ? "on" : "off", config.batch_size,
      Mebibytes(config.db.block_cache_bytes), db_options.path);
  Figures figures;
  {
    auto controller = BenchController::Start(db_options);
    if (!controller.ok()) return controller.status();
    const BenchFilesystem fs{"bench-host", "vdb"};
    if (auto s = RunIngest(config, **controller, fs, &figures); !s.ok()) {
      return s;
    }
    if (auto s = RunQueries(config, **controller, fs, &figures); !s.ok()) {
      return s;
    }
    figures.db_bytes = (*controller)->db()->ApproximateSizeBytes();
    figures.db_dir_bytes = DirectoryBytes(dir->path());
    figures.peak_rss_kb = PeakRssKb();
  }
  PrintSummary(config, figures);
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags({argv + 1, argv + argc}, kFlags);
  if (!flags.ok()) {
    std::cerr << "reverse_map_bench: " << flags.status().message() << "\n";
    return 2;
  }
  if (flags->help()) {
    std::cout << Usage(kSynopsis, kDescription, kFlags);
    return 0;
  }
  auto config = ParseConfig(*flags);
  absl::Status status = config.ok() ? Run(*config) : config.status();
  if (!status.ok()) {
    std::cerr << "reverse_map_bench: " << status << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace mfr::bench

int main(int argc, char** argv) { return mfr::bench::Main(argc, argv); }
