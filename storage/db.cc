#include "storage/db.h"

#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/inode_paths.h"

namespace mfr::storage {
namespace {

constexpr const char* kFamilyNames[] = {
    "default",   "segments", "inodes",  "filesystems", "topology",
    "incidents", "reports",  "actions", "staging",     "incidents_by_device",
};
static_assert(sizeof(kFamilyNames) / sizeof(kFamilyNames[0]) ==
              static_cast<size_t>(Family::kCount));

rocksdb::Options MakeOptions(const DbOptions& o) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  auto cache = rocksdb::NewLRUCache(o.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Lookups are Seeks (segments, inode paths) or Gets on tiny families:
  // bloom filters would cost memory and ingest time and help nothing.
  // Index blocks stay with their table readers, out of the LRU, so a
  // lookup never waits for an evicted index block (they are a few MB at
  // 10M segments).
  table.cache_index_and_filter_blocks = false;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Memtables are charged to the block cache so the whole budget is one number.
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      o.memtable_budget_bytes, cache);
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  options.compression = rocksdb::kLZ4Compression;
  return options;
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": rocksdb: ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const DbOptions& o) {
  rocksdb::Options options = MakeOptions(o);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
  }
  // Inode paths arrive in walk order, so they go through memtables and L0
  // (segments arrive sorted and are ingested as one file), as merge
  // operands (inode_paths.h). Every L0 file is one more place a path
  // lookup must look; compacting each at once keeps a generation's paths
  // in one sorted run (in L1 at 10M segments), which took a quarter off
  // the p99 of a range query.
  rocksdb::ColumnFamilyOptions& inodes =
      families[static_cast<size_t>(Family::kInodes)].options;
  inodes.level0_file_num_compaction_trigger = 1;
  inodes.merge_operator = NewInodePathsMergeOperator();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(options), o.path,
                                        families, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", o.path));
  std::unique_ptr<Db> db(new Db());
  db->db_.reset(raw);
  db->path_ = o.path;
  db->options_ = options;
  // Segment files of uploads that a crash interrupted are never ingested.
  std::error_code ignored;
  for (const auto& entry :
       std::filesystem::directory_iterator(o.path, ignored)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "upload-") && absl::EndsWith(name, ".sst")) {
      std::filesystem::remove(entry.path(), ignored);
    }
  }
  for (size_t i = 0; i < handles.size(); ++i) db->handles_[i] = handles[i];
  return db;
}

Db::~Db() {
  if (!db_) return;
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  db_->Close();
}

std::shared_ptr<const rocksdb::Snapshot> Db::Snapshot() const {
  rocksdb::DB* db = db_.get();
  return std::shared_ptr<const rocksdb::Snapshot>(
      db->GetSnapshot(),
      [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

absl::Status Db::Flush(std::initializer_list<Family> families) {
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  for (Family f : families) handles.push_back(cf(f));
  return FromRocks(db_->Flush(rocksdb::FlushOptions(), handles), "flush");
}

std::unique_ptr<rocksdb::SstFileWriter> Db::NewSstFileWriter(
    Family family) const {
  return std::make_unique<rocksdb::SstFileWriter>(
      rocksdb::EnvOptions(), options_, cf(family),
      /*invalidate_page_cache=*/false);
}

std::string Db::SstFilePath(uint64_t id) const {
  return absl::StrCat(path_, "/upload-", id, ".sst");
}

absl::Status Db::IngestSstFiles(Family family,
                                const std::vector<std::string>& paths) {
  rocksdb::IngestExternalFileOptions options;
  options.move_files = true;
  return FromRocks(db_->IngestExternalFile(cf(family), paths, options),
                   "ingesting snapshot files");
}

uint64_t Db::ApproximateSizeBytes() const {
  uint64_t total = 0;
  for (auto* h : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) total += v;
    if (db_->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &v))
      total += v;
  }
  return total;
}

}  // namespace mfr::storage
