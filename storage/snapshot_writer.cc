#include "storage/snapshot_writer.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/byte_range.h"
#include "storage/inode_paths.h"
#include "storage/key_codec.h"

namespace mfr::storage {
namespace {

constexpr size_t kWriteBatchBytes = 4 << 20;

rocksdb::WriteOptions BulkWriteOptions() {
  // Bulk data skips the WAL: Commit flushes it to SST files before the
  // pointer flip, and uncommitted data is garbage after a crash anyway.
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  return wo;
}

bool IsFileKind(mfr::v1::OwnerKind kind) {
  return kind == mfr::v1::OWNER_KIND_FILE_DATA ||
         kind == mfr::v1::OWNER_KIND_FILE_ATTR_FORK ||
         kind == mfr::v1::OWNER_KIND_EXTENT_MAP;
}

}  // namespace

absl::StatusOr<RawRecord> ToRawRecord(const mfr::v1::ReverseMapRecord& r,
                                      uint64_t device_size_bytes) {
  const ByteSpan span{r.physical_offset_bytes(), r.length_bytes()};
  if (auto s = ValidateSpan(span, "record"); !s.ok()) return s;
  if (device_size_bytes != 0 && span.end() > device_size_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("record [", span.offset, ", ", span.end(),
                     ") ends past the device size ", device_size_bytes));
  }
  if (r.kind() == mfr::v1::OWNER_KIND_UNSPECIFIED ||
      r.kind() == mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT ||
      !mfr::v1::OwnerKind_IsValid(r.kind()) ||
      !mfr::v1::MetadataKind_IsValid(r.metadata_kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("record at ", span.offset, " has invalid owner kind ",
                     r.kind(), "/", r.metadata_kind()));
  }
  if (IsFileKind(r.kind()) && r.inode() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("file record at ", span.offset, " without an inode"));
  }
  // Only the fields that mean something for the kind are kept (and stored).
  RawRecord out{span.offset, span.length, {}};
  out.owner.kind = r.kind();
  if (r.kind() == mfr::v1::OWNER_KIND_METADATA) {
    out.owner.metadata_kind = r.metadata_kind();
  }
  if (IsFileKind(r.kind())) out.owner.inode = r.inode();
  if (r.kind() == mfr::v1::OWNER_KIND_FILE_DATA ||
      r.kind() == mfr::v1::OWNER_KIND_FILE_ATTR_FORK) {
    out.owner.file_offset = r.file_offset_bytes();
  }
  out.owner.unwritten = r.unwritten();
  return out;
}

absl::StatusOr<std::unique_ptr<SnapshotWriter>> SnapshotWriter::Begin(
    Db* db, FilesystemRegistry* registry, const mfr::v1::SnapshotHeader& h) {
  if (h.host().empty() || h.mount_point().empty() || h.generation() == 0) {
    return absl::InvalidArgumentError(
        "snapshot header needs host, mount_point and a non-zero generation");
  }
  if (h.host().size() > 255 || h.mount_point().size() > kMaxPathBytes ||
      h.fs_uuid().size() > 64 || h.device().size() > 255) {
    return absl::InvalidArgumentError("snapshot header field too long");
  }
  auto fs = registry->Resolve(h);
  if (!fs.ok()) return fs.status();
  auto generation = registry->NextId();
  if (!generation.ok()) return generation.status();
  auto upload_id = registry->NextId();
  if (!upload_id.ok()) return upload_id.status();
  return std::unique_ptr<SnapshotWriter>(new SnapshotWriter(
      db, registry, h, *std::move(fs), *generation, *upload_id));
}

SnapshotWriter::SnapshotWriter(Db* db, FilesystemRegistry* registry,
                               mfr::v1::SnapshotHeader header,
                               FilesystemRecord fs, uint64_t generation,
                               uint64_t upload_id)
    : db_(db),
      registry_(registry),
      header_(std::move(header)),
      fs_(std::move(fs)),
      generation_(generation),
      upload_id_(upload_id),
      builder_([this](const Segment& s) { return PutSegment(s); }) {}

SnapshotWriter::~SnapshotWriter() { Discard(/*keep_generation=*/committed_); }

void SnapshotWriter::Discard(bool keep_generation) {
  rocksdb::WriteBatch batch;
  if (!keep_generation) {
    const uint64_t id = fs_.fs_id();
    for (Family f : {Family::kSegments, Family::kInodes}) {
      batch.DeleteRange(db_->cf(f), U64Key(id, generation_),
                        U64Key(id, generation_ + 1));
    }
  }
  if (staged_ > 0) {
    batch.DeleteRange(db_->cf(Family::kStaging), U64Key(upload_id_),
                      U64Key(upload_id_ + 1));
  }
  // Best effort: startup garbage collection catches what this misses.
  db_->raw()->Write(rocksdb::WriteOptions(), &batch).PermitUncheckedError();
  segment_file_.reset();
  std::remove(db_->SstFilePath(upload_id_).c_str());  // unless ingested
}

absl::Status SnapshotWriter::AddBatch(const mfr::v1::SnapshotBatch& batch) {
  if (failed_ || committed_) {
    return absl::FailedPreconditionError("upload already failed or committed");
  }
  absl::Status status;
  for (const auto& r : batch.records()) {
    if (status = AddRecord(r); !status.ok()) break;
  }
  for (int i = 0; status.ok() && i < batch.inodes_size(); ++i) {
    status = AddInode(batch.inodes(i));
  }
  if (status.ok()) status = FlushBatch(false);
  failed_ = !status.ok();
  return status;
}

absl::Status SnapshotWriter::AddRecord(const mfr::v1::ReverseMapRecord& r) {
  auto raw = ToRawRecord(r, header_.device_size_bytes());
  if (!raw.ok()) return raw.status();
  ++records_;
  if (header_.physical_order()) return builder_.Add(*raw);
  batch_.Put(db_->cf(Family::kStaging),
             U64Key(upload_id_, raw->start, staged_++), EncodeRawRecord(*raw));
  return FlushBatch(false);
}

absl::Status SnapshotWriter::AddInode(const mfr::v1::InodePaths& inode) {
  if (inode.inode() == 0 || inode.paths_size() == 0 ||
      inode.paths_size() > static_cast<int>(kMaxPathsPerInode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("inode entry ", inode.inode(), " needs an inode and 1..",
                     kMaxPathsPerInode, " paths"));
  }
  for (const std::string& path : inode.paths()) {
    if (path.empty() || path.size() > kMaxPathBytes ||
        path.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("inode ", inode.inode(), ": invalid path"));
    }
    inode_path_.clear();
    AppendInodePath(path, &inode_path_);
    batch_.Merge(db_->cf(Family::kInodes),
                 U64Key(fs_.fs_id(), generation_, inode.inode()), inode_path_);
  }
  ++inodes_;
  return absl::OkStatus();
}

absl::Status SnapshotWriter::PutSegment(const Segment& segment) {
  run_.Add(segment);
  return run_.full() ? WriteRun() : absl::OkStatus();
}

absl::Status SnapshotWriter::WriteRun() {
  if (run_.empty()) return absl::OkStatus();
  if (segment_file_ == nullptr) {
    segment_file_ = db_->NewSstFileWriter(Family::kSegments);
    auto s = segment_file_->Open(db_->SstFilePath(upload_id_));
    if (!s.ok()) return FromRocks(s, "opening the segment file");
  }
  SegmentKey(fs_.fs_id(), generation_, run_.end(), &run_key_);
  run_.Finish(&run_value_);
  auto s = segment_file_->Put(run_key_, run_value_);
  if (!s.ok()) return FromRocks(s, "writing the segment file");
  return absl::OkStatus();
}

absl::Status SnapshotWriter::IngestSegments() {
  if (auto s = WriteRun(); !s.ok()) return s;
  if (segment_file_ == nullptr) return absl::OkStatus();  // no segments
  auto s = segment_file_->Finish();
  if (!s.ok()) return FromRocks(s, "finishing the segment file");
  return db_->IngestSstFiles(Family::kSegments, {db_->SstFilePath(upload_id_)});
}

absl::Status SnapshotWriter::FlushBatch(bool force) {
  if (batch_.Count() == 0 ||
      (!force && batch_.GetDataSize() < kWriteBatchBytes)) {
    return absl::OkStatus();
  }
  auto s = db_->raw()->Write(BulkWriteOptions(), &batch_);
  batch_.Clear();
  return FromRocks(s, "writing snapshot data");
}

absl::Status SnapshotWriter::BuildFromStaging() {
  if (auto s = FlushBatch(true); !s.ok()) return s;
  rocksdb::ReadOptions ro;
  const std::string upper = U64Key(upload_id_ + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->raw()->NewIterator(ro, db_->cf(Family::kStaging)));
  for (it->Seek(U64Key(upload_id_)); it->Valid(); it->Next()) {
    auto raw = DecodeRawRecord(
        absl::string_view(it->value().data(), it->value().size()));
    if (!raw.ok()) return raw.status();
    if (auto s = builder_.Add(*raw); !s.ok()) return s;
  }
  return FromRocks(it->status(), "reading staged records");
}

absl::StatusOr<mfr::v1::UploadSnapshotResponse> SnapshotWriter::Commit(
    const mfr::v1::SnapshotFooter& footer) {
  if (failed_ || committed_) {
    return absl::FailedPreconditionError("upload already failed or committed");
  }
  failed_ = true;  // until proven otherwise
  if (footer.record_count() != records_ || footer.inode_count() != inodes_) {
    return absl::InvalidArgumentError(
        absl::StrCat("footer counts ", footer.record_count(), " records / ",
                     footer.inode_count(), " inodes, but ", records_, " / ",
                     inodes_, " arrived: the stream is incomplete"));
  }
  if (!header_.physical_order()) {
    if (auto s = BuildFromStaging(); !s.ok()) return s;
  }
  if (auto s = builder_.Finish(); !s.ok()) return s;
  if (auto s = IngestSegments(); !s.ok()) return s;
  if (auto s = FlushBatch(true); !s.ok()) return s;
  if (auto s = db_->Flush({Family::kInodes}); !s.ok()) return s;

  FilesystemRecord updated = fs_;
  updated.set_storage_generation(generation_);
  updated.set_agent_generation(header_.generation());
  *updated.mutable_taken() = header_.taken();
  updated.set_source(header_.source());
  updated.set_records(records_);
  updated.set_segments(builder_.segments_emitted());
  updated.set_inodes(inodes_);
  if (auto s = registry_->CommitSnapshot(updated); !s.ok()) return s;
  committed_ = true;
  failed_ = false;
  mfr::v1::UploadSnapshotResponse response;
  response.set_generation(header_.generation());
  response.set_records(records_);
  response.set_segments(builder_.segments_emitted());
  response.set_inodes(inodes_);
  return response;
}

}  // namespace mfr::storage
