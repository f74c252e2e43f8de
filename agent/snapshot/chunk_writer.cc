// Batching of snapshot records into SnapshotChunk messages.
#include "agent/snapshot/chunk_writer.h"

#include <utility>

namespace mfr::agent::snapshot {
namespace {

// Upper bound of one serialized ReverseMapRecord inside a batch: 7 fields,
// varints of at most 10 bytes, plus the field's own tag and length.
constexpr size_t kRecordBytes = 64;
// An InodePaths entry's overhead besides the path bytes.
constexpr size_t kInodeOverheadBytes = 24;

}  // namespace

ChunkWriter::ChunkWriter(ChunkSink sink, size_t max_items, size_t max_bytes)
    : sink_(std::move(sink)),
      max_items_(max_items > 0 ? max_items : 1),
      max_bytes_(max_bytes) {}

absl::Status ChunkWriter::WriteHeader(const v1::SnapshotHeader& header) {
  if (!status_.ok()) return status_;
  v1::SnapshotChunk chunk;
  *chunk.mutable_header() = header;
  status_ = sink_(chunk);
  return status_;
}

v1::ReverseMapRecord* ChunkWriter::NewRecord() {
  return chunk_.mutable_batch()->add_records();
}

absl::Status ChunkWriter::CommitRecord() {
  ++items_;
  bytes_ += kRecordBytes;
  return MaybeFlush();
}

void ChunkWriter::DiscardRecord() {
  chunk_.mutable_batch()->mutable_records()->RemoveLast();
}

absl::Status ChunkWriter::AddInodePath(uint64_t inode, absl::string_view path) {
  v1::InodePaths* entry = chunk_.mutable_batch()->add_inodes();
  entry->set_inode(inode);
  entry->add_paths(path.data(), path.size());
  ++items_;
  bytes_ += kInodeOverheadBytes + path.size();
  return MaybeFlush();
}

absl::Status ChunkWriter::Finish() {
  if (absl::Status status = Flush(); !status.ok()) return status;
  v1::SnapshotChunk chunk;
  chunk.mutable_footer()->set_record_count(records_sent_);
  chunk.mutable_footer()->set_inode_count(inodes_sent_);
  status_ = sink_(chunk);
  return status_;
}

absl::Status ChunkWriter::MaybeFlush() {
  if (!status_.ok()) return status_;
  if (items_ < max_items_ && bytes_ < max_bytes_) return absl::OkStatus();
  return Flush();
}

absl::Status ChunkWriter::Flush() {
  if (!status_.ok()) return status_;
  if (items_ == 0) return absl::OkStatus();
  return Send();
}

absl::Status ChunkWriter::Send() {
  const v1::SnapshotBatch& batch = chunk_.batch();
  status_ = sink_(chunk_);
  if (!status_.ok()) return status_;
  records_sent_ += batch.records_size();
  inodes_sent_ += batch.inodes_size();
  ++batches_sent_;
  chunk_.mutable_batch()->Clear();
  items_ = 0;
  bytes_ = 0;
  return absl::OkStatus();
}

}  // namespace mfr::agent::snapshot
