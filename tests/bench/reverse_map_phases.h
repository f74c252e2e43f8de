// The measured phases of reverse_map_bench: a synthetic snapshot ingested
// in-process (SnapshotWriter) or through the agent's gRPC upload client, and
// QueryRange latency in-process (QueryCore) or over gRPC. Each phase
// returns its figures; nothing is asserted. Errors are the first failing
// call's status.
#ifndef MFR_TESTS_BENCH_REVERSE_MAP_PHASES_H_
#define MFR_TESTS_BENCH_REVERSE_MAP_PHASES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "controller/query_core.h"
#include "tests/bench/bench_controller.h"
#include "tests/bench/bench_util.h"
#include "tests/bench/synthetic_snapshot.h"

namespace mfr::bench {

// Where a synthetic snapshot goes: one host with one filesystem.
struct BenchFilesystem {
  std::string host;
  std::string device;  // kernel name, the query target
};

// One synthetic snapshot upload.
struct IngestPlan {
  BenchFilesystem fs;
  SyntheticOptions data;
  size_t batch_size = 4096;
  uint64_t generation = 1;  // must grow from one upload of fs to the next
};

struct IngestResult {
  uint64_t records = 0, inodes = 0, segments = 0, batches = 0;
  uint64_t end_bytes = 0;        // device bytes the records cover
  double seconds = 0;            // header to committed snapshot
  double generator_seconds = 0;  // part of `seconds` spent generating
};

// Registers the host and uploads the snapshot through SnapshotWriter.
absl::StatusOr<IngestResult> IngestInProcess(BenchController& controller,
                                             const IngestPlan& plan);

// The same through ControllerClient/SnapshotUploadStream to `address`.
absl::StatusOr<IngestResult> IngestOverGrpc(const std::string& address,
                                            const IngestPlan& plan);

struct QueryPlan {
  BenchFilesystem fs;
  uint64_t end_bytes = 0;  // queries fall in [0, end_bytes)
  uint64_t range_bytes = 4096;
  size_t queries = 0;  // measured, after a short warm-up
  uint64_t seed = 7;
};

struct QueryResult {
  LatencySummary latency;
  double owners_per_query = 0;
};

absl::StatusOr<QueryResult> QueryInProcess(const controller::QueryCore& core,
                                           const QueryPlan& plan);
// Only the storage layer under QueryCore: ReverseMapReader::Lookup with the
// filesystem record resolved once (a fresh RocksDB snapshot per query).
absl::StatusOr<QueryResult> LookupInProcess(const BenchController& controller,
                                            const QueryPlan& plan);
absl::StatusOr<QueryResult> QueryOverGrpc(const std::string& address,
                                          const QueryPlan& plan);

// The floor under QueryOverGrpc: `calls` unary health checks on one channel
// (a gRPC round trip that does no work).
absl::StatusOr<LatencySummary> HealthCheckOverGrpc(const std::string& address,
                                                   size_t calls);

}  // namespace mfr::bench

#endif  // MFR_TESTS_BENCH_REVERSE_MAP_PHASES_H_
