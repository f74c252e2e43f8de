#include "agent/report/outbox.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace mfr::agent::report {
namespace {

constexpr size_t kMaxReasonBytes = 1024;

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("outbox: ", context, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(msg);
  return absl::InternalError(msg);
}

// Calls fn(key, value) for every entry whose key starts with `prefix`, in
// key order, until fn returns false or an error.
template <typename Fn>
absl::Status Scan(rocksdb::DB* db, char prefix, Fn fn) {
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, prefix));
       it->Valid() && !it->key().empty() && it->key()[0] == prefix;
       it->Next()) {
    absl::StatusOr<bool> more =
        fn(absl::string_view(it->key().data(), it->key().size()),
           absl::string_view(it->value().data(), it->value().size()));
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  return FromRocks(it->status(), "scan");
}

// Pending entries in sequence order: fn(entry, encoded bytes) -> continue?
template <typename Fn>
absl::Status ScanPending(rocksdb::DB* db, Fn fn) {
  return Scan(db, kPendingPrefix,
              [&](absl::string_view key,
                  absl::string_view value) -> absl::StatusOr<bool> {
                absl::StatusOr<uint64_t> seq =
                    ParseOutboxKey(kPendingPrefix, key);
                if (!seq.ok()) return seq.status();
                absl::StatusOr<OutboxEntry> e = DecodePending(*seq, value);
                if (!e.ok()) return e.status();
                return fn(*std::move(e), value.size());
              });
}

// Rejected entries in sequence order: fn(entry) -> continue?
template <typename Fn>
absl::Status ScanRejected(rocksdb::DB* db, Fn fn) {
  return Scan(db, kRejectedPrefix,
              [&](absl::string_view key,
                  absl::string_view value) -> absl::StatusOr<bool> {
                absl::StatusOr<uint64_t> seq =
                    ParseOutboxKey(kRejectedPrefix, key);
                if (!seq.ok()) return seq.status();
                absl::StatusOr<RejectedEntry> r = DecodeRejected(*seq, value);
                if (!r.ok()) return r.status();
                return fn(*std::move(r));
              });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Outbox>> Outbox::Open(OutboxOptions options) {
  std::error_code ignored;
  std::filesystem::create_directories(options.path, ignored);
  rocksdb::Options db_options;
  db_options.OptimizeForSmallDb();
  db_options.create_if_missing = true;
  db_options.keep_log_file_num = 2;  // RocksDB's info LOG: bounded too
  db_options.max_log_file_size = 1 << 20;
  rocksdb::DB* raw = nullptr;
  absl::Status s = FromRocks(rocksdb::DB::Open(db_options, options.path, &raw),
                             absl::StrCat("opening ", options.path));
  if (!s.ok()) return s;
  std::unique_ptr<Outbox> outbox(
      new Outbox(std::move(options), std::unique_ptr<rocksdb::DB>(raw)));
  s = outbox->Load();
  if (!s.ok()) return s;
  return outbox;
}

Outbox::Outbox(OutboxOptions options, std::unique_ptr<rocksdb::DB> db)
    : options_(std::move(options)), db_(std::move(db)) {}

Outbox::~Outbox() = default;

absl::Status Outbox::Load() {
  absl::MutexLock lock(&mu_);
  absl::Status s =
      ScanPending(db_.get(), [&](const OutboxEntry& e, size_t bytes) {
        const std::string& id = e.request.report_id();
        pending_[id] = {e.sequence, bytes, e.enqueued};
        pending_order_[e.sequence] = id;
        bytes_ += bytes;
        next_seq_ = std::max(next_seq_, e.sequence + 1);
        return true;
      });
  if (!s.ok()) return s;
  return ScanRejected(db_.get(), [&](const RejectedEntry& r) {
    const std::string& id = r.entry.request.report_id();
    rejected_[id] = r.entry.sequence;
    rejected_order_[r.entry.sequence] = id;
    next_seq_ = std::max(next_seq_, r.entry.sequence + 1);
    return true;
  });
}

absl::Status Outbox::Write(rocksdb::WriteBatch* batch) const {
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocks(db_->Write(write_options, batch), "write");
}

absl::StatusOr<bool> Outbox::Put(const mfr::v1::CorruptRangeRequest& request) {
  const std::string& id = request.report_id();
  if (id.empty()) return absl::InvalidArgumentError("report without an id");
  OutboxEntry entry{0, options_.clock(), request};
  const std::string value = EncodePending(entry);
  if (value.size() > options_.max_entry_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("report ", id, " is ", value.size(), " bytes, over ",
                     options_.max_entry_bytes));
  }
  absl::MutexLock lock(&mu_);
  if (pending_.contains(id) || rejected_.contains(id)) return false;
  if (pending_.size() >= options_.max_entries ||
      bytes_ + value.size() > options_.max_bytes) {
    ++refused_full_;
    return absl::ResourceExhaustedError(
        absl::StrCat("outbox full: ", pending_.size(), " reports, ", bytes_,
                     " bytes; report ", id, " refused"));
  }
  const uint64_t seq = next_seq_;
  rocksdb::WriteBatch batch;
  batch.Put(OutboxKey(kPendingPrefix, seq), value);
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  ++next_seq_;
  pending_[id] = {seq, value.size(), entry.enqueued};
  pending_order_[seq] = id;
  bytes_ += value.size();
  if (options_.on_put) options_.on_put(request);
  return true;
}

std::vector<std::string> Outbox::PendingIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  ids.reserve(pending_order_.size());
  for (const auto& [seq, id] : pending_order_) ids.push_back(id);
  return ids;
}

absl::StatusOr<OutboxEntry> Outbox::Get(absl::string_view report_id) const {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(report_id);
  if (it == pending_.end()) {
    return absl::NotFoundError(
        absl::StrCat("report ", report_id, " not pending"));
  }
  std::string value;
  absl::Status s =
      FromRocks(db_->Get(rocksdb::ReadOptions(),
                         OutboxKey(kPendingPrefix, it->second.seq), &value),
                "get");
  if (!s.ok()) return s;
  return DecodePending(it->second.seq, value);
}

absl::StatusOr<std::vector<OutboxEntry>> Outbox::Pending(size_t max) const {
  absl::MutexLock lock(&mu_);
  std::vector<OutboxEntry> out;
  if (max == 0) return out;
  absl::Status s = ScanPending(db_.get(), [&](OutboxEntry e, size_t) {
    out.push_back(std::move(e));
    return out.size() < max;
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status Outbox::Ack(absl::string_view report_id) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(report_id);
  if (it == pending_.end()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  batch.Delete(OutboxKey(kPendingPrefix, it->second.seq));
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  bytes_ -= it->second.bytes;
  pending_order_.erase(it->second.seq);
  pending_.erase(it);
  return absl::OkStatus();
}

absl::Status Outbox::Reject(absl::string_view report_id,
                            absl::string_view reason) {
  absl::StatusOr<OutboxEntry> entry = Get(report_id);
  if (!entry.ok()) return entry.status();
  RejectedEntry rejected{*std::move(entry), options_.clock(),
                         std::string(reason.substr(0, kMaxReasonBytes))};
  const uint64_t seq = rejected.entry.sequence;
  const std::string id = rejected.entry.request.report_id();
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(id);
  if (it == pending_.end() || it->second.seq != seq) {
    return absl::NotFoundError(absl::StrCat("report ", id, " not pending"));
  }
  rocksdb::WriteBatch batch;
  batch.Delete(OutboxKey(kPendingPrefix, seq));
  batch.Put(OutboxKey(kRejectedPrefix, seq), EncodeRejected(rejected));
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  bytes_ -= it->second.bytes;
  pending_order_.erase(seq);
  pending_.erase(it);
  rejected_[id] = seq;
  rejected_order_[seq] = id;
  while (rejected_.size() > options_.max_rejected) {
    s = DropOldestRejected();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Outbox::DropOldestRejected() {
  auto oldest = rejected_order_.begin();
  rocksdb::WriteBatch batch;
  batch.Delete(OutboxKey(kRejectedPrefix, oldest->first));
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  rejected_.erase(oldest->second);
  rejected_order_.erase(oldest);
  ++rejected_dropped_;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<RejectedEntry>> Outbox::Rejected() const {
  absl::MutexLock lock(&mu_);
  std::vector<RejectedEntry> out;
  absl::Status s = ScanRejected(db_.get(), [&](RejectedEntry r) {
    out.push_back(std::move(r));
    return true;
  });
  if (!s.ok()) return s;
  return out;
}

OutboxStats Outbox::Stats() const {
  const absl::Time now = options_.clock();
  absl::MutexLock lock(&mu_);
  OutboxStats stats;
  stats.depth = pending_.size();
  stats.bytes = bytes_;
  if (!pending_order_.empty()) {
    const Meta& oldest = pending_.at(pending_order_.begin()->second);
    stats.oldest_age = std::max(absl::ZeroDuration(), now - oldest.enqueued);
  }
  stats.max_entries = options_.max_entries;
  stats.max_bytes = options_.max_bytes;
  stats.rejected = rejected_.size();
  stats.refused_full = refused_full_;
  stats.rejected_dropped = rejected_dropped_;
  return stats;
}

}  // namespace mfr::agent::report
