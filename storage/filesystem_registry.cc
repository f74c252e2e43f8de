#include "storage/filesystem_registry.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/convenience.h"
#include "storage/key_codec.h"

namespace mfr::storage {
namespace {

const char kNextIdKey[] = "next_id";
const char kFormatKey[] = "reverse_map_format";

template <typename Message>
absl::StatusOr<Message> Parse(const std::string& bytes,
                              absl::string_view what) {
  Message m;
  if (!m.ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("unreadable ", what, " record"));
  }
  return m;
}

template <typename Message>
absl::StatusOr<std::vector<Message>> ScanPrefix(Db* db, Family family,
                                                const std::string& prefix,
                                                const rocksdb::Snapshot* view) {
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  std::unique_ptr<rocksdb::Iterator> it(
      db->raw()->NewIterator(ro, db->cf(family)));
  std::vector<Message> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    auto m = Parse<Message>(it->value().ToString(), "stored");
    if (!m.ok()) return m.status();
    out.push_back(*std::move(m));
  }
  if (auto s = FromRocks(it->status(), "scan"); !s.ok()) return s;
  return out;
}

}  // namespace

std::string FilesystemKeyOf(const std::string& host, const std::string& uuid,
                            const std::string& mount_point) {
  return FilesystemKey(host,
                       uuid.empty() ? "mnt:" + mount_point : "uuid:" + uuid);
}

absl::StatusOr<std::unique_ptr<FilesystemRegistry>> FilesystemRegistry::Open(
    Db* db) {
  std::unique_ptr<FilesystemRegistry> r(new FilesystemRegistry(db));
  std::string value;
  rocksdb::Status s = db->raw()->Get(rocksdb::ReadOptions(),
                                     db->cf(Family::kMeta), kNextIdKey, &value);
  if (s.ok() && value.size() == 8) {
    absl::MutexLock lock(&r->mu_);
    r->next_id_ = ReadU64(value);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the id counter");
  }
  auto all = ScanPrefix<FilesystemRecord>(db, Family::kFilesystems, "",
                                          /*view=*/nullptr);
  if (!all.ok()) return all.status();
  if (auto upgraded = r->UpgradeFormat(&*all); !upgraded.ok()) {
    return upgraded;
  }
  // Keys start with the host, so one host's records are adjacent and in
  // key order.
  std::map<std::string, std::vector<FilesystemRecord>> by_host;
  for (FilesystemRecord& fs : *all) {
    by_host[fs.host()].push_back(std::move(fs));
  }
  absl::MutexLock lock(&r->view_mu_);
  for (auto& [host, records] : by_host) {
    r->by_host_[host] = std::make_shared<const std::vector<FilesystemRecord>>(
        std::move(records));
  }
  return r;
}

absl::Status FilesystemRegistry::UpgradeFormat(
    std::vector<FilesystemRecord>* all) {
  std::string value;
  auto s = db_->raw()->Get(rocksdb::ReadOptions(), db_->cf(Family::kMeta),
                           kFormatKey, &value);
  if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "reading the reverse map format");
  }
  // Before formats were recorded, segments were format 1.
  uint64_t format = kReverseMapFormat;
  if (s.ok()) {
    format = value.size() == 8 ? ReadU64(value) : 0;
  } else if (std::any_of(all->begin(), all->end(), [](const auto& fs) {
               return fs.storage_generation() != 0;
             })) {
    format = 1;
  }
  if (format > kReverseMapFormat || format == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database holds reverse map format ", format, "; this mfr reads ",
        kReverseMapFormat, ": run the mfr-controller that wrote it"));
  }
  if (s.ok() && format == kReverseMapFormat) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Family::kMeta), kFormatKey, U64Key(kReverseMapFormat));
  if (format < kReverseMapFormat) {
    // Old segments cannot be read: drop every snapshot. The filesystems
    // stay registered, "no snapshot yet" until their agents send one.
    for (Family f : {Family::kSegments, Family::kInodes}) {
      batch.DeleteRange(db_->cf(f), "", U64Key(UINT64_MAX));
    }
    for (FilesystemRecord& fs : *all) {
      fs.set_storage_generation(0);
      fs.set_retired_storage_generation(0);
      fs.set_records(0);
      fs.set_segments(0);
      fs.set_inodes(0);
      batch.Put(db_->cf(Family::kFilesystems),
                FilesystemKeyOf(fs.host(), fs.fs_uuid(), fs.mount_point()),
                fs.SerializeAsString());
    }
    std::clog << "reverse map format " << format << " found, this mfr writes "
              << kReverseMapFormat << ": dropped the snapshots of "
              << all->size()
              << " filesystems; their agents' next snapshots rebuild them\n";
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->raw()->Write(wo, &batch),
                   "recording the reverse map format");
}

absl::StatusOr<uint64_t> FilesystemRegistry::NextId() {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  auto s = db_->raw()->Put(rocksdb::WriteOptions(), db_->cf(Family::kMeta),
                           kNextIdKey, U64Key(next_id_));
  if (!s.ok()) return FromRocks(s, "persisting the id counter");
  return id;
}

absl::Status FilesystemRegistry::PutHost(const HostRecord& host) {
  return FromRocks(
      db_->raw()->Put(rocksdb::WriteOptions(), db_->cf(Family::kTopology),
                      host.host(), host.SerializeAsString()),
      "storing host");
}

absl::StatusOr<HostRecord> FilesystemRegistry::GetHost(
    const std::string& host, const rocksdb::Snapshot* view) {
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  std::string value;
  auto s = db_->raw()->Get(ro, db_->cf(Family::kTopology), host, &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("unknown host \"", host, "\""));
  }
  if (!s.ok()) return FromRocks(s, "reading host");
  return Parse<HostRecord>(value, "host");
}

absl::StatusOr<std::vector<HostRecord>> FilesystemRegistry::ListHosts(
    const rocksdb::Snapshot* view) {
  return ScanPrefix<HostRecord>(db_, Family::kTopology, "", view);
}

absl::Status FilesystemRegistry::TouchHost(
    const std::string& host, const google::protobuf::Timestamp& now) {
  auto record = GetHost(host);
  if (absl::IsNotFound(record.status())) return absl::OkStatus();
  if (!record.ok()) return record.status();
  *record->mutable_last_seen() = now;
  return PutHost(*record);
}

FilesystemRegistry::Filesystems FilesystemRegistry::Current(
    const std::string& host) const {
  absl::ReaderMutexLock lock(&view_mu_);
  auto it = by_host_.find(host);
  return {it != by_host_.end()
              ? it->second
              : std::make_shared<const std::vector<FilesystemRecord>>(),
          db_->Snapshot()};
}

std::vector<FilesystemRecord> FilesystemRegistry::ListFilesystems(
    const std::string& host) const {
  return *Current(host).records;
}

void FilesystemRegistry::Publish(const FilesystemRecord& record) {
  const auto key_of = [](const FilesystemRecord& fs) {
    return FilesystemKeyOf(fs.host(), fs.fs_uuid(), fs.mount_point());
  };
  const std::string key = key_of(record);
  absl::MutexLock lock(&view_mu_);
  RecordList& list = by_host_[record.host()];
  auto updated = list != nullptr
                     ? std::make_shared<std::vector<FilesystemRecord>>(*list)
                     : std::make_shared<std::vector<FilesystemRecord>>();
  auto at = std::find_if(updated->begin(), updated->end(),
                         [&](const auto& fs) { return key_of(fs) >= key; });
  if (at != updated->end() && key_of(*at) == key) {
    *at = record;
  } else {
    updated->insert(at, record);
  }
  list = std::move(updated);
}

absl::StatusOr<FilesystemRecord> FilesystemRegistry::Get(const std::string& key,
                                                         bool* found) {
  std::string value;
  auto s = db_->raw()->Get(rocksdb::ReadOptions(),
                           db_->cf(Family::kFilesystems), key, &value);
  *found = s.ok();
  if (s.IsNotFound()) return FilesystemRecord();
  if (!s.ok()) return FromRocks(s, "reading filesystem");
  return Parse<FilesystemRecord>(value, "filesystem");
}

absl::StatusOr<FilesystemRecord> FilesystemRegistry::Resolve(
    const mfr::v1::SnapshotHeader& h) {
  const std::string key =
      FilesystemKeyOf(h.host(), h.fs_uuid(), h.mount_point());
  absl::MutexLock lock(&mu_);  // serialises creation of one fs
  bool found = false;
  auto record = Get(key, &found);
  if (!record.ok()) return record.status();
  record->set_mount_point(h.mount_point());
  record->set_fs_uuid(h.fs_uuid());
  record->set_fs_type(h.fs_type());
  record->set_device(h.device());
  *record->mutable_dev() = h.dev();
  record->set_device_size_bytes(h.device_size_bytes());
  if (!found) {
    record->set_fs_id(next_id_++);
    record->set_host(h.host());
    rocksdb::WriteBatch batch;
    batch.Put(db_->cf(Family::kMeta), kNextIdKey, U64Key(next_id_));
    batch.Put(db_->cf(Family::kFilesystems), key, record->SerializeAsString());
    auto s = db_->raw()->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "registering filesystem");
    Publish(*record);
  }
  return record;
}

absl::Status FilesystemRegistry::CommitSnapshot(
    const FilesystemRecord& updated) {
  const std::string key =
      FilesystemKeyOf(updated.host(), updated.fs_uuid(), updated.mount_point());
  absl::MutexLock lock(&mu_);
  bool found = false;
  auto current = Get(key, &found);
  if (!current.ok()) return current.status();
  if (found && current->storage_generation() != 0 &&
      current->agent_generation() >= updated.agent_generation()) {
    return absl::FailedPreconditionError(
        absl::StrCat("snapshot generation ", updated.agent_generation(),
                     " is not newer than the committed generation ",
                     current->agent_generation()));
  }
  FilesystemRecord record = updated;
  record.set_retired_storage_generation(found ? current->storage_generation()
                                              : 0);
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Family::kFilesystems), key, record.SerializeAsString());
  const uint64_t drop = found ? current->retired_storage_generation() : 0;
  if (drop != 0) {
    for (Family f : {Family::kSegments, Family::kInodes}) {
      batch.DeleteRange(db_->cf(f), U64Key(record.fs_id(), drop),
                        U64Key(record.fs_id(), drop + 1));
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto s = db_->raw()->Write(wo, &batch);
  if (!s.ok()) return FromRocks(s, "committing snapshot");
  Publish(record);
  if (drop != 0) DropFiles(record.fs_id(), drop, drop + 1);
  return absl::OkStatus();
}

void FilesystemRegistry::DropFiles(uint64_t fs_id, uint64_t from_gen,
                                   uint64_t to_gen) {
  // The range tombstones above hide the data at once; dropping the SST
  // files that hold only those generations frees the space now and spares
  // every later seek from stepping over deleted keys. Best effort.
  const std::string begin = U64Key(fs_id, from_gen),
                    end = U64Key(fs_id, to_gen);
  const rocksdb::Slice b(begin), e(end);
  for (Family f : {Family::kSegments, Family::kInodes}) {
    rocksdb::DeleteFilesInRange(db_->raw(), db_->cf(f), &b, &e)
        .PermitUncheckedError();
  }
}

absl::Status FilesystemRegistry::CollectGarbage() {
  std::vector<FilesystemRecord> all;
  {
    absl::ReaderMutexLock lock(&view_mu_);
    for (const auto& [host, records] : by_host_) {
      all.insert(all.end(), records->begin(), records->end());
    }
  }
  rocksdb::WriteBatch batch;
  for (const FilesystemRecord& fs : all) {
    // Keep the current and the retired generation (0: none); drop
    // everything else: the gaps around the kept ones, never an empty range
    // (RocksDB refuses those).
    const uint64_t id = fs.fs_id();
    uint64_t keep[2] = {fs.retired_storage_generation(),
                        fs.storage_generation()};
    if (keep[0] > keep[1]) std::swap(keep[0], keep[1]);
    auto drop = [&](const std::string& begin, const std::string& end) {
      if (begin >= end) return;
      for (Family f : {Family::kSegments, Family::kInodes}) {
        batch.DeleteRange(db_->cf(f), begin, end);
      }
    };
    std::string begin = U64Key(id, 0);
    for (uint64_t kept : keep) {
      if (kept == 0) continue;
      drop(begin, U64Key(id, kept));
      begin = U64Key(id, kept + 1);
    }
    drop(begin, U64Key(id + 1));  // above every key of this fs
  }
  batch.DeleteRange(db_->cf(Family::kStaging), "", std::string(32, '\xff'));
  return FromRocks(db_->raw()->Write(rocksdb::WriteOptions(), &batch),
                   "collecting garbage");
}

}  // namespace mfr::storage
