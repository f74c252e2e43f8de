#include "storage/segment_builder.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/byte_range.h"

namespace mfr::storage {

absl::Status SegmentBuilder::Add(const RawRecord& record) {
  if (auto s = ValidateSpan({record.start, record.length}, "record"); !s.ok()) {
    return s;
  }
  if (record.start < last_start_) {
    return absl::InvalidArgumentError(
        absl::StrCat("record at ", record.start, " arrives after one at ",
                     last_start_, ": records must be in physical order"));
  }
  last_start_ = record.start;
  if (auto s = FlushUntil(record.start); !s.ok()) return s;
  if (active_.empty()) cursor_ = record.start;
  if (active_.size() >= kMaxActiveRecords) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "more than ", kMaxActiveRecords, " records overlap at ", cursor_));
  }
  active_.push_back(record);
  return absl::OkStatus();
}

absl::Status SegmentBuilder::Finish() {
  return FlushUntil(std::numeric_limits<uint64_t>::max());
}

absl::Status SegmentBuilder::FlushUntil(uint64_t limit) {
  while (!active_.empty() && cursor_ < limit) {
    uint64_t end = limit;
    for (const RawRecord& r : active_) end = std::min(end, r.start + r.length);
    if (auto s = EmitSegment(end); !s.ok()) return s;
    cursor_ = end;
    active_.erase(std::remove_if(active_.begin(), active_.end(),
                                 [end](const RawRecord& r) {
                                   return r.start + r.length <= end;
                                 }),
                  active_.end());
  }
  return absl::OkStatus();
}

absl::Status SegmentBuilder::EmitSegment(uint64_t end) {
  Segment& segment = segment_;  // reused: its owners keep their capacity
  segment.start = cursor_;
  segment.length = end - cursor_;
  segment.owners.clear();
  bool known = false;
  for (const RawRecord& r : active_) {
    Owner o = r.owner;
    if (o.kind == mfr::v1::OWNER_KIND_FILE_DATA ||
        o.kind == mfr::v1::OWNER_KIND_FILE_ATTR_FORK) {
      o.file_offset += cursor_ - r.start;
    }
    known |= o.kind != mfr::v1::OWNER_KIND_UNKNOWN;
    segment.owners.push_back(o);
  }
  if (known) {
    segment.owners.erase(
        std::remove_if(segment.owners.begin(), segment.owners.end(),
                       [](const Owner& o) {
                         return o.kind == mfr::v1::OWNER_KIND_UNKNOWN;
                       }),
        segment.owners.end());
  }
  std::sort(segment.owners.begin(), segment.owners.end());
  segment.owners.erase(
      std::unique(segment.owners.begin(), segment.owners.end()),
      segment.owners.end());
  ++segments_emitted_;
  return sink_(segment);
}

}  // namespace mfr::storage
