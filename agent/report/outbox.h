// The agent's durable outbox of CorruptRange reports: a report is on disk
// before Put returns, and stays there until the controller acknowledged it
// (Ack) or refused it for good (Reject), across agent restarts and
// controller outages.
//
// Why RocksDB and not an append-only file: the outbox needs durable append
// (WAL with sync), delete-by-id in any order (Ack), a lookup by id
// (dedupe), an atomic move (pending -> rejected) and recovery from a torn
// write at a crash. RocksDB gives all of that with checksums and is already
// a dependency; an append-only file would need its own record checksums,
// torn-tail truncation and compaction of acknowledged records. The database
// is small (OptimizeForSmallDb) and private to this class.
//
// Layout (one directory, default column family):
//   'p' + be64(seq) -> be64(enqueued, unix us) + CorruptRangeRequest
//   'r' + be64(seq) -> be64(enqueued) + be64(rejected) + be32(n) +
//                      reason[n] + CorruptRangeRequest
// seq grows with each Put, so Pending() lists reports in Put order, also
// after a reopen. An in-memory index (id -> seq, sizes) is rebuilt at Open.
//
// Bounds: at most max_entries pending reports and max_bytes of pending
// entries (bytes = encoded value sizes; the directory also holds RocksDB
// overhead). A Put beyond them fails with ResourceExhausted and is counted
// in refused_full: the outbox never drops a pending report. Rejected
// reports are kept separately, at most max_rejected; beyond that the
// oldest rejected report is deleted and counted in rejected_dropped.
//
// Thread-safe: every method may be called from any thread.
#ifndef MFR_AGENT_REPORT_OUTBOX_H_
#define MFR_AGENT_REPORT_OUTBOX_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agent/report/outbox_record.h"
#include "mfr/v1/agent_service.pb.h"
#include "rocksdb/db.h"

namespace mfr::agent::report {

struct OutboxOptions {
  std::string path;                      // directory; created if missing
  size_t max_entries = 10000;            // pending reports
  uint64_t max_bytes = 64 << 20;         // pending bytes, all entries
  uint64_t max_entry_bytes = 256 << 10;  // one encoded report
  size_t max_rejected = 1000;            // kept for inspection
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Called for each report newly stored (metrics); it must not call back
  // into the outbox.
  std::function<void(const mfr::v1::CorruptRangeRequest&)> on_put;
};

struct OutboxStats {
  size_t depth = 0;    // pending reports
  uint64_t bytes = 0;  // encoded bytes of pending reports
  // now - enqueue time of the oldest pending report; zero when none.
  absl::Duration oldest_age;
  size_t max_entries = 0;  // the bounds, for a fill ratio
  uint64_t max_bytes = 0;
  size_t rejected = 0;  // rejected reports kept
  // Counters since Open (not persisted):
  uint64_t refused_full = 0;      // Puts refused with ResourceExhausted
  uint64_t rejected_dropped = 0;  // old rejected reports deleted by the bound
};

class Outbox {
 public:
  // Opens or creates the outbox in options.path. Internal/DataLoss errors
  // when the directory cannot be opened or holds unreadable entries.
  static absl::StatusOr<std::unique_ptr<Outbox>> Open(OutboxOptions options);
  ~Outbox();

  // Stores `request` durably (synced WAL) before returning true. Returns
  // false, storing nothing, when a report with that id is already pending
  // or rejected (an id that was acknowledged may be stored again; the
  // controller then answers duplicate). InvalidArgument for an empty report_id
  // or an entry larger than max_entry_bytes; ResourceExhausted when the outbox
  // is full.
  absl::StatusOr<bool> Put(const mfr::v1::CorruptRangeRequest& request);

  // Ids of the pending reports in Put order (from memory; cheap).
  std::vector<std::string> PendingIds() const;
  // One pending report; NotFound when it is not pending.
  absl::StatusOr<OutboxEntry> Get(absl::string_view report_id) const;
  // Up to `max` pending reports in Put order, read from disk.
  absl::StatusOr<std::vector<OutboxEntry>> Pending(size_t max = SIZE_MAX) const;

  // Removes a pending report durably. OK when it is not pending (already
  // acknowledged): Ack is idempotent.
  absl::Status Ack(absl::string_view report_id);
  // Moves a pending report to the rejected set, with `reason` (truncated
  // to 1 KiB). NotFound when it is not pending.
  absl::Status Reject(absl::string_view report_id, absl::string_view reason);
  // The rejected reports kept, oldest first.
  absl::StatusOr<std::vector<RejectedEntry>> Rejected() const;

  OutboxStats Stats() const;

 private:
  struct Meta {
    uint64_t seq = 0;
    uint64_t bytes = 0;
    absl::Time enqueued;
  };

  Outbox(OutboxOptions options, std::unique_ptr<rocksdb::DB> db);
  absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status DropOldestRejected() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Write(rocksdb::WriteBatch* batch) const;

  const OutboxOptions options_;
  const std::unique_ptr<rocksdb::DB> db_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Meta> pending_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> pending_order_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint64_t> rejected_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> rejected_order_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t refused_full_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t rejected_dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_OUTBOX_H_
