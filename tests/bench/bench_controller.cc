#include "tests/bench/bench_controller.h"

#include <cstdlib>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
  std::string running, pending;
  rocksdb::DB* raw = db()->raw();
  raw->GetProperty("rocksdb.num-running-compactions", &running);
  raw->GetProperty(db()->cf(storage::Family::kSegments),
                   "rocksdb.estimate-pending-compaction-bytes", &pending);
  std::string out =
      absl::StrCat("running compactions ", running,
                   ", segments' pending compaction bytes ", pending);
  // Whether a family's blocks can all sit in the block cache: its blocks'
  // size on disk and uncompressed (keys + values).
  for (auto [family, name] : {std::pair{storage::Family::kSegments, "segments"},
                              std::pair{storage::Family::kInodes, "inodes"}}) {
    std::map<std::string, std::string> table;
    raw->GetMapProperty(db()->cf(family), "rocksdb.aggregated-table-properties",
                        &table);
    auto mib = [&table](const char* key) {
      return std::strtod(table[key].c_str(), nullptr) / (1 << 20);
    };
    absl::StrAppendFormat(
        &out,
        "\n    %s: %s entries, data blocks %.1f MiB on disk, %.1f MiB "
        "of keys + values, index %.1f MiB",
        name, table["num_entries"], mib("data_size"),
        mib("raw_key_size") + mib("raw_value_size"), mib("index_size"));
    // Each level holding files is one more sorted run a lookup seeks in.
    absl::StrAppend(&out, "; files per level:");
    for (int level = 0; level < 7; ++level) {
      std::string files;
      raw->GetProperty(db()->cf(family),
                       absl::StrCat("rocksdb.num-files-at-level", level),
                       &files);
      if (files != "0") absl::StrAppend(&out, " L", level, " ", files);
    }
  }
  return out;
}

BenchController::~BenchController() {
  if (server_ != nullptr) server_->Shutdown();
}

}  // namespace mfr::bench
