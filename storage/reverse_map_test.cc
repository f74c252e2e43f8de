// The reverse map on a real RocksDB in a temporary directory: upload,
// lookup, atomic replacement, aborted and hostile uploads.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/filesystem_registry.h"
#include "storage/key_codec.h"
#include "storage/reverse_map_reader.h"
#include "storage/snapshot_writer.h"

namespace mfr::storage {
namespace {

using mfr::v1::OwnerExtent;
using mfr::v1::ReverseMapRecord;

ReverseMapRecord FileRec(uint64_t start, uint64_t len, uint64_t inode,
                         uint64_t file_offset) {
  ReverseMapRecord r;
  r.set_physical_offset_bytes(start);
  r.set_length_bytes(len);
  r.set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
  r.set_inode(inode);
  r.set_file_offset_bytes(file_offset);
  return r;
}

ReverseMapRecord FreeRec(uint64_t start, uint64_t len) {
  ReverseMapRecord r;
  r.set_physical_offset_bytes(start);
  r.set_length_bytes(len);
  r.set_kind(mfr::v1::OWNER_KIND_FREE_SPACE);
  return r;
}

class ReverseMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR")
                                                       : "/tmp") /
           ("rmap_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    registry_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    registry_.reset();
    db_.reset();
    auto db = Db::Open({dir_.string()});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto registry = FilesystemRegistry::Open(db_.get());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
    ASSERT_TRUE(registry_->CollectGarbage().ok());
  }

  mfr::v1::SnapshotHeader Header(uint64_t generation, bool ordered = true) {
    mfr::v1::SnapshotHeader h;
    h.set_host("host-a");
    h.set_mount_point("/mnt/x");
    h.set_fs_uuid("1234");
    h.set_device("loop0");
    h.set_device_size_bytes(1 << 30);
    h.set_generation(generation);
    h.set_physical_order(ordered);
    return h;
  }

  absl::StatusOr<mfr::v1::UploadSnapshotResponse> Upload(
      const mfr::v1::SnapshotHeader& h, const mfr::v1::SnapshotBatch& batch) {
    auto writer = SnapshotWriter::Begin(db_.get(), registry_.get(), h);
    if (!writer.ok()) return writer.status();
    if (auto s = (*writer)->AddBatch(batch); !s.ok()) return s;
    mfr::v1::SnapshotFooter footer;
    footer.set_record_count(batch.records_size());
    footer.set_inode_count(batch.inodes_size());
    return (*writer)->Commit(footer);
  }

  std::vector<OwnerExtent> Query(uint64_t offset, uint64_t length) {
    auto current = registry_->Current("host-a");
    EXPECT_EQ(current.records->size(), 1u);
    ReverseMapReader reader(db_.get());
    auto owners = reader.Lookup(current.records->at(0), {offset, length},
                                current.view.get());
    EXPECT_TRUE(owners.ok()) << owners.status();
    return owners.ok() ? *owners : std::vector<OwnerExtent>{};
  }

  mfr::v1::SnapshotBatch TwoFilesReflinked() {
    // inode 10 and 11 share [4096, 12288); inode 10 also has [0, 4096).
    mfr::v1::SnapshotBatch b;
    *b.add_records() = FileRec(0, 12288, 10, 0);
    *b.add_records() = FileRec(4096, 8192, 11, 65536);
    *b.add_records() = FreeRec(12288, 1 << 20);
    auto* p = b.add_inodes();
    p->set_inode(10);
    p->add_paths("a/file");
    p->add_paths("a/hardlink");
    b.add_inodes()->set_inode(11);
    b.mutable_inodes(1)->add_paths("b/copy");
    return b;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<FilesystemRegistry> registry_;
};

TEST_F(ReverseMapTest, LookupNamesEveryOwnerWithClippedRanges) {
  ASSERT_TRUE(Upload(Header(1), TwoFilesReflinked()).ok());
  auto owners = Query(2048, 4096);  // [2048, 6144)
  ASSERT_EQ(owners.size(), 3u);
  EXPECT_EQ(owners[0].inode(), 10u);
  EXPECT_EQ(owners[0].device_range().offset_bytes(), 2048u);
  EXPECT_EQ(owners[0].device_range().length_bytes(), 2048u);
  EXPECT_EQ(owners[0].file_range().offset_bytes(), 2048u);
  EXPECT_FALSE(owners[0].shared());
  EXPECT_THAT(owners[0].paths(),
              ::testing::UnorderedElementsAre("a/file", "a/hardlink"));
  // The shared part: both owners, each with its own file offset.
  EXPECT_EQ(owners[1].inode(), 10u);
  EXPECT_TRUE(owners[1].shared());
  EXPECT_EQ(owners[1].file_range().offset_bytes(), 4096u);
  EXPECT_EQ(owners[2].inode(), 11u);
  EXPECT_EQ(owners[2].file_range().offset_bytes(), 65536u);
  EXPECT_EQ(owners[2].file_range().length_bytes(), 2048u);
  EXPECT_THAT(owners[2].paths(), ::testing::ElementsAre("b/copy"));
}

// The walk meets an inode's hard links anywhere: its paths arrive in
// separate entries, batches and memtables, and still come back together.
TEST_F(ReverseMapTest, PathsOfOneInodeArrivingApartComeBackTogether) {
  auto writer = SnapshotWriter::Begin(db_.get(), registry_.get(), Header(1));
  ASSERT_TRUE(writer.ok()) << writer.status();
  mfr::v1::SnapshotBatch records;
  *records.add_records() = FileRec(0, 4096, 10, 0);
  ASSERT_TRUE((*writer)->AddBatch(records).ok());
  uint64_t entries = 0, filler_inode = 1000;
  for (const char* path : {"a/file", "b/link", "c/link"}) {
    mfr::v1::SnapshotBatch batch;
    auto* entry = batch.add_inodes();
    entry->set_inode(10);
    entry->add_paths(path);
    // Other inodes' paths, enough to make the writer write its batch.
    for (int i = 0; i < 50000; ++i) {
      auto* filler = batch.add_inodes();
      filler->set_inode(++filler_inode);
      filler->add_paths(std::string(100, 'f'));
    }
    entries += batch.inodes_size();
    ASSERT_TRUE((*writer)->AddBatch(batch).ok());
    ASSERT_TRUE(db_->Flush({Family::kInodes}).ok());  // an L0 file each
  }
  mfr::v1::SnapshotFooter footer;
  footer.set_record_count(1);
  footer.set_inode_count(entries);
  ASSERT_TRUE((*writer)->Commit(footer).ok());
  auto owners = Query(0, 1);
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_THAT(owners[0].paths(),
              ::testing::UnorderedElementsAre("a/file", "b/link", "c/link"));
}

TEST_F(ReverseMapTest, UncoveredRangesAreReportedNotInSnapshot) {
  ASSERT_TRUE(Upload(Header(1), TwoFilesReflinked()).ok());
  auto owners = Query((1 << 20) + 12288 - 100, 1000);
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners[0].kind(), mfr::v1::OWNER_KIND_FREE_SPACE);
  EXPECT_EQ(owners[1].kind(), mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT);
  EXPECT_EQ(owners[1].device_range().length_bytes(), 900u);
}

// Many records, so that segments span many stored runs: every random range
// gets exactly the owners a brute-force clip of the records gives, with the
// holes between records reported as not in the snapshot.
TEST_F(ReverseMapTest, LookupsAcrossManyRunsMatchBruteForce) {
  std::mt19937_64 random(42);
  struct Extent {
    uint64_t start, length, inode;
  };
  std::vector<Extent> extents;
  mfr::v1::SnapshotBatch batch;
  uint64_t at = 0;
  for (uint64_t inode = 1; inode <= 600; ++inode) {
    at += (random() % 3) * 512;  // sometimes a hole
    const uint64_t length = 512 * (1 + random() % 8);
    extents.push_back({at, length, inode});
    *batch.add_records() = FileRec(at, length, inode, inode * 4096);
    at += length;
  }
  ASSERT_TRUE(Upload(Header(1), batch).ok());
  for (int round = 0; round < 300; ++round) {
    const uint64_t offset = random() % at;
    const uint64_t length = 1 + random() % 20000;
    const uint64_t end = offset + length;
    std::vector<std::string> want;
    uint64_t covered = offset;
    for (const Extent& e : extents) {
      const uint64_t from = std::max(e.start, offset);
      const uint64_t to = std::min(e.start + e.length, end);
      if (from >= to) continue;
      if (from > covered)
        want.push_back(absl::StrCat("gap ", covered, "+", from - covered));
      want.push_back(absl::StrCat(e.inode, " ", from, "+", to - from, " @",
                                  e.inode * 4096 + (from - e.start)));
      covered = to;
    }
    if (covered < end)
      want.push_back(absl::StrCat("gap ", covered, "+", end - covered));
    std::vector<std::string> got;
    for (const auto& o : Query(offset, length)) {
      const auto& d = o.device_range();
      got.push_back(
          o.kind() == mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT
              ? absl::StrCat("gap ", d.offset_bytes(), "+", d.length_bytes())
              : absl::StrCat(o.inode(), " ", d.offset_bytes(), "+",
                             d.length_bytes(), " @",
                             o.file_range().offset_bytes()));
    }
    ASSERT_EQ(got, want) << "range " << offset << "+" << length;
  }
}

TEST_F(ReverseMapTest, UnorderedUploadIsSortedAtCommit) {
  mfr::v1::SnapshotBatch b = TwoFilesReflinked();
  std::swap(*b.mutable_records(0), *b.mutable_records(2));
  ASSERT_TRUE(Upload(Header(1, /*ordered=*/false), b).ok());
  EXPECT_EQ(Query(4096, 1).size(), 2u);
  // Ordered uploads must really be ordered.
  EXPECT_EQ(Upload(Header(2, true), b).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReverseMapTest, NewSnapshotReplacesOldAtomically) {
  ASSERT_TRUE(Upload(Header(1), TwoFilesReflinked()).ok());
  auto before = registry_->Current("host-a");
  mfr::v1::SnapshotBatch b;
  *b.add_records() = FileRec(0, 4096, 99, 0);
  ASSERT_TRUE(Upload(Header(2), b).ok());
  auto owners = Query(0, 12288);
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners[0].inode(), 99u);
  EXPECT_EQ(owners[1].kind(), mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT);
  // A reader that started before the commit still sees the old snapshot whole.
  ReverseMapReader reader(db_.get());
  auto old =
      reader.Lookup(before.records->at(0), {0, 12288}, before.view.get());
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->size(), 3u);  // inode 10 alone, then 10 and 11 shared
}

TEST_F(ReverseMapTest, StaleGenerationIsRefused) {
  ASSERT_TRUE(Upload(Header(5), TwoFilesReflinked()).ok());
  EXPECT_EQ(Upload(Header(5), TwoFilesReflinked()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Query(0, 1)[0].inode(), 10u);
}

TEST_F(ReverseMapTest, CutOrBadUploadLeavesPreviousSnapshotIntact) {
  ASSERT_TRUE(Upload(Header(1), TwoFilesReflinked()).ok());
  {  // Stream cut: the writer dies without a footer.
    auto writer = SnapshotWriter::Begin(db_.get(), registry_.get(), Header(2));
    ASSERT_TRUE(writer.ok());
    mfr::v1::SnapshotBatch b;
    *b.add_records() = FileRec(0, 4096, 77, 0);
    ASSERT_TRUE((*writer)->AddBatch(b).ok());
  }
  {  // Footer counts do not match.
    auto writer = SnapshotWriter::Begin(db_.get(), registry_.get(), Header(3));
    ASSERT_TRUE((*writer)->AddBatch(TwoFilesReflinked()).ok());
    mfr::v1::SnapshotFooter footer;
    footer.set_record_count(999);
    EXPECT_EQ((*writer)->Commit(footer).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  const struct {
    const char* what;
    ReverseMapRecord record;
  } garbage[] = {
      {"zero length", FileRec(0, 0, 1, 0)},
      {"overflow", FileRec(~0ULL - 1, 4096, 1, 0)},
      {"past device end", FileRec(1 << 30, 4096, 1, 0)},
      {"file without inode", FileRec(0, 4096, 0, 0)},
      {"unspecified kind", ReverseMapRecord()},
  };
  for (const auto& g : garbage) {
    mfr::v1::SnapshotBatch b;
    *b.add_records() = g.record;
    EXPECT_EQ(Upload(Header(4), b).status().code(),
              absl::StatusCode::kInvalidArgument)
        << g.what;
  }
  mfr::v1::SnapshotBatch bad_path;
  bad_path.add_inodes()->set_inode(5);
  bad_path.mutable_inodes(0)->add_paths(std::string("a\0b", 3));
  EXPECT_FALSE(Upload(Header(4), bad_path).ok());

  EXPECT_EQ(Query(0, 1)[0].inode(), 10u);
  EXPECT_EQ(Query(4096, 1).size(), 2u);
}

TEST_F(ReverseMapTest, CrashMidUploadIsCollectedAtRestart) {
  ASSERT_TRUE(Upload(Header(1), TwoFilesReflinked()).ok());
  // Simulate a crash: data under an uncommitted generation, nothing deleted.
  auto fs = registry_->ListFilesystems("host-a");
  ASSERT_TRUE(db_->raw()
                  ->Put(rocksdb::WriteOptions(), db_->cf(Family::kSegments),
                        SegmentKey(fs.at(0).fs_id(), 999, 0), "junk")
                  .ok());
  Reopen();
  EXPECT_EQ(Query(0, 1)[0].inode(), 10u);
  std::string value;
  EXPECT_TRUE(db_->raw()
                  ->Get(rocksdb::ReadOptions(), db_->cf(Family::kSegments),
                        SegmentKey(fs.at(0).fs_id(), 999, 0), &value)
                  .IsNotFound());
}

// A filesystem's first upload was cut: its record exists with no
// generation. Garbage collection at the next start used to fail on it (an
// empty DeleteRange), which kept the controller from starting.
TEST_F(ReverseMapTest, RestartAfterAFirstUploadThatNeverCommitted) {
  auto writer = SnapshotWriter::Begin(db_.get(), registry_.get(), Header(1));
  ASSERT_TRUE(writer.ok()) << writer.status();
  mfr::v1::SnapshotBatch one;
  *one.add_records() = FileRec(0, 4096, 1, 0);
  ASSERT_TRUE((*writer)->AddBatch(one).ok());
  writer->reset();  // the stream broke before its footer
  Reopen();         // asserts that garbage collection succeeds
  ASSERT_EQ(registry_->Current("host-a").records->size(), 1u);
  EXPECT_EQ(registry_->Current("host-a").records->at(0).storage_generation(),
            0u);
  ASSERT_TRUE(Upload(Header(1), one).ok());
  EXPECT_EQ(Query(0, 1)[0].inode(), 1u);
}

TEST_F(ReverseMapTest, ReplacedGenerationIsRetiredThenDropped) {
  auto count_segments = [&] {
    std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
        rocksdb::ReadOptions(), db_->cf(Family::kSegments)));
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  };
  mfr::v1::SnapshotBatch one;
  *one.add_records() = FileRec(0, 4096, 1, 0);
  ASSERT_TRUE(Upload(Header(1), one).ok());
  ASSERT_TRUE(Upload(Header(2), one).ok());
  EXPECT_EQ(count_segments(), 2);  // current + retired
  ASSERT_TRUE(Upload(Header(3), one).ok());
  EXPECT_EQ(count_segments(), 2);  // generation 1 is gone
  Reopen();                        // garbage collection keeps both
  EXPECT_EQ(count_segments(), 2);
  EXPECT_EQ(Query(0, 1)[0].inode(), 1u);
}

TEST_F(ReverseMapTest, CurrentListsEveryFilesystemOfTheHostInKeyOrder) {
  EXPECT_TRUE(registry_->Current("host-a").records->empty());
  EXPECT_NE(registry_->Current("host-a").view, nullptr);
  auto second = Header(1);
  second.set_fs_uuid("0abc");
  second.set_mount_point("/mnt/y");
  ASSERT_TRUE(registry_->Resolve(second).ok());  // no snapshot yet
  mfr::v1::SnapshotBatch one;
  *one.add_records() = FileRec(0, 4096, 1, 0);
  ASSERT_TRUE(Upload(Header(1), one).ok());
  auto records = *registry_->Current("host-a").records;
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fs_uuid(), "0abc");  // "uuid:0abc" < "uuid:1234"
  EXPECT_EQ(records[0].storage_generation(), 0u);
  EXPECT_EQ(records[1].fs_uuid(), "1234");
  EXPECT_NE(records[1].storage_generation(), 0u);
  EXPECT_TRUE(registry_->Current("host-b").records->empty());
  Reopen();  // the list is rebuilt from RocksDB
  auto reopened = *registry_->Current("host-a").records;
  ASSERT_EQ(reopened.size(), 2u);
  EXPECT_EQ(reopened[1].SerializeAsString(), records[1].SerializeAsString());
}

// Current() hands out records with a view that holds what they point to,
// however commits interleave: a reader never finds its generation gone.
TEST_F(ReverseMapTest, CurrentStaysReadableWhileSnapshotsCommit) {
  mfr::v1::SnapshotBatch first;
  *first.add_records() = FileRec(0, 4096, 1, 0);
  ASSERT_TRUE(Upload(Header(1), first).ok());
  constexpr uint64_t kCommits = 40;
  std::atomic<bool> done{false};
  std::atomic<int> lookups{0}, failures{0};
  std::thread reader_thread([&] {
    ReverseMapReader reader(db_.get());
    while (!done.load()) {
      auto current = registry_->Current("host-a");
      auto owners =
          reader.Lookup(current.records->at(0), {0, 4096}, current.view.get());
      ++lookups;
      if (!owners.ok() || owners->size() != 1 ||
          owners->at(0).inode() != current.records->at(0).agent_generation()) {
        ++failures;
      }
    }
  });
  for (uint64_t gen = 2; gen <= kCommits; ++gen) {
    mfr::v1::SnapshotBatch b;
    *b.add_records() = FileRec(0, 4096, gen, 0);
    ASSERT_TRUE(Upload(Header(gen), b).ok());
  }
  done = true;
  reader_thread.join();
  EXPECT_GT(lookups.load(), 0);
  EXPECT_EQ(failures.load(), 0);
}

// A database from before formats were recorded holds format 1 segments,
// which this build cannot read: they are dropped, the filesystem stays.
TEST_F(ReverseMapTest, OldFormatSnapshotsAreDroppedAtOpen) {
  mfr::v1::SnapshotBatch one;
  *one.add_records() = FileRec(0, 4096, 1, 0);
  ASSERT_TRUE(Upload(Header(1), one).ok());
  ASSERT_TRUE(db_->raw()
                  ->Delete(rocksdb::WriteOptions(), db_->cf(Family::kMeta),
                           "reverse_map_format")
                  .ok());
  Reopen();
  auto records = *registry_->Current("host-a").records;
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].storage_generation(), 0u);
  EXPECT_EQ(records[0].records(), 0u);
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(Family::kSegments)));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it.reset();
  ASSERT_TRUE(Upload(Header(1), one).ok());  // the next snapshot is taken
  EXPECT_EQ(Query(0, 1)[0].inode(), 1u);
  Reopen();  // and kept: the format is recorded now
  EXPECT_EQ(Query(0, 1)[0].inode(), 1u);
}

TEST_F(ReverseMapTest, NewerFormatIsRefused) {
  ASSERT_TRUE(db_->raw()
                  ->Put(rocksdb::WriteOptions(), db_->cf(Family::kMeta),
                        "reverse_map_format", U64Key(kReverseMapFormat + 1))
                  .ok());
  registry_.reset();
  auto registry = FilesystemRegistry::Open(db_.get());
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(registry.status().message(),
              ::testing::HasSubstr(
                  absl::StrCat("reverse map format ", kReverseMapFormat + 1)));
}

TEST_F(ReverseMapTest, LookupWithoutSnapshotFails) {
  ReverseMapReader reader(db_.get());
  mfr::internal::FilesystemRecord fs;
  EXPECT_EQ(reader.Lookup(fs, {0, 1}, nullptr).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mfr::storage
