// Cuts a filesystem's raw reverse-map records into disjoint segments.
//
// Records must arrive in non-decreasing order of start (GETFSMAP order);
// they may overlap arbitrarily (reflink). Every byte covered by at least one
// record ends up in exactly one segment that lists every record covering it,
// with file offsets adjusted to the segment's start. Bytes covered by no
// record produce no segment. An OWNER_KIND_UNKNOWN owner is dropped from a
// segment that has any other owner: "unknown" only stands where nothing
// better is known (ext4 GETFSMAP reports file data as unknown; FIEMAP names
// the files).
//
// Streaming: segments are emitted as soon as no later record can change
// them, so memory is bounded by the number of records overlapping one point
// (at most kMaxActiveRecords). Pure; not thread-safe.
#ifndef MFR_STORAGE_SEGMENT_BUILDER_H_
#define MFR_STORAGE_SEGMENT_BUILDER_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "storage/segment.h"

namespace mfr::storage {

class SegmentBuilder {
 public:
  // Called once per segment, in increasing start order. An error stops the
  // builder and is returned from Add/Finish.
  using Sink = std::function<absl::Status(const Segment&)>;

  static constexpr size_t kMaxActiveRecords = 1 << 16;

  explicit SegmentBuilder(Sink sink) : sink_(std::move(sink)) {}

  // InvalidArgument for a zero length, an overflowing range or a start below
  // the previous record's start; ResourceExhausted when more than
  // kMaxActiveRecords records overlap one point.
  absl::Status Add(const RawRecord& record);

  // Emits the remaining segments. Call once, after the last Add.
  absl::Status Finish();

  uint64_t segments_emitted() const { return segments_emitted_; }

 private:
  // Emits segments covering [cursor_, limit) and drops records that end.
  absl::Status FlushUntil(uint64_t limit);
  absl::Status EmitSegment(uint64_t end);

  Sink sink_;
  std::vector<RawRecord> active_;  // records covering cursor_
  Segment segment_;                // the one being emitted
  uint64_t cursor_ = 0;            // start of the next segment to emit
  uint64_t last_start_ = 0;
  uint64_t segments_emitted_ = 0;
};

}  // namespace mfr::storage

#endif  // MFR_STORAGE_SEGMENT_BUILDER_H_
