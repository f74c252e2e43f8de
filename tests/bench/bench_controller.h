// The controller's state and gRPC services inside a benchmark process,
// wired as mfr-controller's composition root wires them: one RocksDB, the
// filesystem registry, the agent and query cores, and a plaintext server on
// 127.0.0.1 with a port chosen at start. The server stops and the database
// closes when the object dies. Thread-safe like its parts.
#ifndef MFR_TESTS_BENCH_BENCH_CONTROLLER_H_
#define MFR_TESTS_BENCH_BENCH_CONTROLLER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "controller/controller_node.h"
#include "grpcpp/grpcpp.h"
#include "storage/db.h"
#include "storage/filesystem_registry.h"

namespace mfr::bench {

class BenchController {
 public:
  // Opens (creating) the database at options.path and starts serving.
  static absl::StatusOr<std::unique_ptr<BenchController>> Start(
      const storage::DbOptions& options);
  ~BenchController();

  storage::Db* db() const { return node_->db(); }
  storage::FilesystemRegistry* registry() const { return node_->registry(); }
  controller::AgentCore* agent_core() const { return node_->agent_core(); }
  const controller::QueryCore* query_core() const {
    return node_->query_core();
  }
  // "127.0.0.1:PORT".
  const std::string& address() const { return address_; }

  // Waits until RocksDB runs and plans no flush or compaction, or
  // `max_seconds` passed; returns the seconds waited. Takes and releases a
  // RocksDB snapshot first: that is what lets RocksDB mark the files holding
  // a replaced generation for compaction ("BottommostFiles"), work the first
  // queries after an upload would otherwise set off.
  double WaitForBackgroundWork(double max_seconds) const;

  // One line on the segments family: L0 files, running compactions and
  // pending compaction bytes.
  std::string DescribeRocksDb() const;

 private:
  BenchController() = default;

  std::unique_ptr<controller::ControllerNode> node_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace mfr::bench

#endif  // MFR_TESTS_BENCH_BENCH_CONTROLLER_H_
