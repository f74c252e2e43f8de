// ChunkWriter: turns a snapshot's records and inode paths into the
// SnapshotChunk stream (one header, batches, one footer) and hands each
// chunk to a sink as soon as it is full, so a snapshot is never held whole.
//
// Contract:
// - Call WriteHeader once, then AddRecord/AddInodePath any number of times,
//   then Finish once (it flushes the last batch and sends the footer, whose
//   counts are exactly what the batches carried).
// - A batch is sent when it holds `max_items` records + inode entries or
//   about `max_bytes` of serialized data, whichever comes first.
// - The first non-OK status from the sink is returned by that call and by
//   every later call; nothing more is sent after it.
// Thread-compatible.
#ifndef MFR_AGENT_SNAPSHOT_CHUNK_WRITER_H_
#define MFR_AGENT_SNAPSHOT_CHUNK_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/agent_service.pb.h"

namespace mfr::agent::snapshot {

using ChunkSink = std::function<absl::Status(const mfr::v1::SnapshotChunk&)>;

class ChunkWriter {
 public:
  ChunkWriter(ChunkSink sink, size_t max_items, size_t max_bytes);
  ChunkWriter(const ChunkWriter&) = delete;
  ChunkWriter& operator=(const ChunkWriter&) = delete;

  absl::Status WriteHeader(const mfr::v1::SnapshotHeader& header);
  // Returns a record to fill in; call CommitRecord() when it is filled, or
  // DiscardRecord() to drop it.
  mfr::v1::ReverseMapRecord* NewRecord();
  absl::Status CommitRecord();
  void DiscardRecord();
  absl::Status AddInodePath(uint64_t inode, absl::string_view path);
  absl::Status Finish();

  uint64_t records_sent() const { return records_sent_; }
  uint64_t inodes_sent() const { return inodes_sent_; }
  uint64_t batches_sent() const { return batches_sent_; }

 private:
  absl::Status MaybeFlush();
  absl::Status Flush();
  absl::Status Send();

  ChunkSink sink_;
  const size_t max_items_;
  const size_t max_bytes_;
  mfr::v1::SnapshotChunk chunk_;  // the batch being filled
  size_t items_ = 0;
  size_t bytes_ = 0;  // estimate of the batch's serialized size
  uint64_t records_sent_ = 0;
  uint64_t inodes_sent_ = 0;
  uint64_t batches_sent_ = 0;
  absl::Status status_;  // sticky sink failure
};

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_CHUNK_WRITER_H_
