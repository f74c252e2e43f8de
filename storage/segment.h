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

// Value encoding of a segment: varints for start, length, owner count and
// each owner's fields.
std::string EncodeSegmentValue(const Segment& segment);
// Fills *segment; InvalidArgument on malformed bytes.
absl::Status DecodeSegmentValue(absl::string_view value, Segment* segment);

// The same for a raw record, used while staging unordered records.
std::string EncodeRawRecord(const RawRecord& record);
absl::StatusOr<RawRecord> DecodeRawRecord(absl::string_view value);

}  // namespace mfr::storage

#endif  // MFR_STORAGE_SEGMENT_H_
