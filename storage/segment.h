// The reverse map's unit: a disjoint physical range of one filesystem with
// every owner of it. Raw GETFSMAP/FIEMAP records may overlap (reflink gives
// one record per owner); the SegmentBuilder cuts them into segments.
#ifndef MFR_STORAGE_SEGMENT_H_
#define MFR_STORAGE_SEGMENT_H_

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/types.pb.h"

namespace mfr::storage {

// One owner of a physical range.
struct Owner {
  mfr::v1::OwnerKind kind = mfr::v1::OWNER_KIND_UNKNOWN;
  mfr::v1::MetadataKind metadata_kind = mfr::v1::METADATA_KIND_UNSPECIFIED;
  uint64_t inode = 0;        // file owners
  uint64_t file_offset = 0;  // file data: file offset of the range's first byte
  bool unwritten = false;

  bool IsFile() const {
    return kind == mfr::v1::OWNER_KIND_FILE_DATA ||
           kind == mfr::v1::OWNER_KIND_FILE_ATTR_FORK ||
           kind == mfr::v1::OWNER_KIND_EXTENT_MAP;
  }
  auto Tie() const {
    return std::tie(kind, metadata_kind, inode, file_offset, unwritten);
  }
  bool operator==(const Owner& o) const { return Tie() == o.Tie(); }
  bool operator<(const Owner& o) const { return Tie() < o.Tie(); }
};

// A raw record: [start, start + length) owned by `owner`.
struct RawRecord {
  uint64_t start = 0;
  uint64_t length = 0;
  Owner owner;
};

// A disjoint range with all of its owners, sorted. Each owner's file_offset
// refers to `start`.
struct Segment {
  uint64_t start = 0;
  uint64_t length = 0;
  std::vector<Owner> owners;

  bool operator==(const Segment& o) const {
    return start == o.start && length == o.length && owners == o.owners;
  }
};

// Segments are stored in runs: up to kMaxSegments consecutive segments of
// one filesystem (fewer when their encoding passes kTargetBytes) under one
// key, the end of the run's last segment. A run costs RocksDB one entry
// instead of sixteen, which is what makes snapshots fast to write and
// small enough for the block cache; a lookup decodes one short run.
//
// Run value (see kReverseMapFormat in key_codec.h): a varint of
// (run end - first segment's start), then per segment: varint gap from the
// previous segment's end (0 for the first), varint length, varint owner
// count, and each owner as a varint of kind << 1 | unwritten followed by
// the metadata kind (metadata owners), inode (file owners) and file offset
// (data and attr fork owners) as varints. A file data segment takes about
// eleven bytes.
class SegmentRunEncoder {
 public:
  static constexpr size_t kMaxSegments = 16;
  static constexpr size_t kTargetBytes = 256;

  // Appends a segment; it starts at or after the previous one's end.
  void Add(const Segment& segment);
  bool empty() const { return segments_ == 0; }
  // True when the run should be written before the next Add.
  bool full() const {
    return segments_ >= kMaxSegments || body_.size() >= kTargetBytes;
  }
  // The run's key: its last segment's end.
  uint64_t end() const { return end_; }
  // Replaces *value with the run's encoding and starts an empty run.
  void Finish(std::string* value);

 private:
  std::string body_;
  size_t segments_ = 0;
  uint64_t start_ = 0, end_ = 0;
};

// Reads the segments of one run in order.
class SegmentRunReader {
 public:
  // `value` is the run stored under the key `end`; it must outlive the reader.
  SegmentRunReader(uint64_t end, absl::string_view value);
  // Fills *segment with the next segment; false after the last one or on
  // malformed bytes, which status() then names.
  bool Next(Segment* segment);
  const absl::Status& status() const { return status_; }

 private:
  bool Fail(absl::string_view why);

  const uint64_t end_;
  absl::string_view rest_;
  uint64_t position_ = 0;  // the previous segment's end
  bool first_ = true;
  absl::Status status_;
};

// The same for a raw record, used while staging unordered records.
std::string EncodeRawRecord(const RawRecord& record);
absl::StatusOr<RawRecord> DecodeRawRecord(absl::string_view value);

}  // namespace mfr::storage

#endif  // MFR_STORAGE_SEGMENT_H_
