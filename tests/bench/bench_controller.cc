#include "tests/bench/bench_controller.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_endpoints.h"
#include "tests/bench/bench_util.h"

namespace mfr::bench {

absl::StatusOr<std::unique_ptr<BenchController>> BenchController::Start(
    const storage::DbOptions& options) {
  std::unique_ptr<BenchController> c(new BenchController());
  controller::ControllerNodeOptions node_options;
  node_options.db = options;
  auto node = controller::ControllerNode::Open(node_options);
  if (!node.ok()) return node.status();
  c->node_ = *std::move(node);
  int port = 0;
  auto server = StartServer("127.0.0.1:0", {}, c->node_->services(), &port);
  if (!server.ok()) return server.status();
  c->server_ = *std::move(server);
  c->address_ = absl::StrCat("127.0.0.1:", port);
  return c;
}

double BenchController::WaitForBackgroundWork(double max_seconds) const {
  rocksdb::DB* raw = db()->raw();
  auto busy = [raw, this] {
    uint64_t v = 0;
    for (const char* p :
         {"rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
      if (raw->GetIntProperty(p, &v) && v > 0) return true;
    }
    for (auto f : {storage::Family::kSegments, storage::Family::kInodes}) {
      if (raw->GetIntProperty(db()->cf(f), "rocksdb.compaction-pending", &v) &&
          v > 0) {
        return true;
      }
    }
    return false;
  };
  db()->Snapshot().reset();
  Stopwatch waited;
  int idle_polls = 0;  // a compaction may be scheduled right after a flush
  while (idle_polls < 3 && waited.Seconds() < max_seconds) {
    idle_polls = busy() ? 0 : idle_polls + 1;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return waited.Seconds();
}

std::string BenchController::DescribeRocksDb() const {
  std::string l0, running, pending;
  rocksdb::DB* raw = db()->raw();
  rocksdb::ColumnFamilyHandle* segments = db()->cf(storage::Family::kSegments);
  raw->GetProperty(segments, "rocksdb.num-files-at-level0", &l0);
  raw->GetProperty("rocksdb.num-running-compactions", &running);
  raw->GetProperty(segments, "rocksdb.estimate-pending-compaction-bytes",
                   &pending);
  return absl::StrCat("segments L0 files ", l0, ", running compactions ",
                      running, ", pending compaction bytes ", pending);
}

BenchController::~BenchController() {
  if (server_ != nullptr) server_->Shutdown();
}

}  // namespace mfr::bench
