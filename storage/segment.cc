#include "storage/segment.h"

namespace mfr::storage {
namespace {

// Owners are bounded so that a hostile value cannot make us allocate
// without limit; real reflink fan-out is far below this.
constexpr uint64_t kMaxOwnersPerSegment = 1 << 20;

constexpr size_t kMaxVarintBytes = 10;
// A segment's header: gap, length and owner count.
constexpr size_t kMaxSegmentHeaderBytes = 3 * kMaxVarintBytes;
// An owner: its head, metadata kind or inode, and file offset.
constexpr size_t kMaxOwnerBytes = 3 * kMaxVarintBytes;

// Writes v at p (room for kMaxVarintBytes) and returns the end.
char* EncodeVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

void PutVarint(std::string* dst, uint64_t v) {
  char buf[kMaxVarintBytes];
  dst->append(buf, EncodeVarint(buf, v) - buf);
}

bool GetVarint(absl::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool HasFileOffset(mfr::v1::OwnerKind kind) {
  return kind == mfr::v1::OWNER_KIND_FILE_DATA ||
         kind == mfr::v1::OWNER_KIND_FILE_ATTR_FORK;
}

char* EncodeOwner(char* p, const Owner& o) {
  p = EncodeVarint(p,
                   static_cast<uint64_t>(o.kind) << 1 | (o.unwritten ? 1 : 0));
  if (o.kind == mfr::v1::OWNER_KIND_METADATA) {
    p = EncodeVarint(p, o.metadata_kind);
  }
  if (o.IsFile()) p = EncodeVarint(p, o.inode);
  if (HasFileOffset(o.kind)) p = EncodeVarint(p, o.file_offset);
  return p;
}

void PutOwner(std::string* dst, const Owner& o) {
  char buf[kMaxOwnerBytes];
  dst->append(buf, EncodeOwner(buf, o) - buf);
}

bool GetOwner(absl::string_view* in, Owner* o) {
  uint64_t head, meta = 0;
  if (!GetVarint(in, &head)) return false;
  const uint64_t kind = head >> 1;
  // Stored owners are real ones: never "unspecified" or "not in snapshot".
  if (kind == mfr::v1::OWNER_KIND_UNSPECIFIED ||
      kind == mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT || kind > 64 ||
      !mfr::v1::OwnerKind_IsValid(static_cast<int>(kind))) {
    return false;
  }
  *o = Owner{};
  o->kind = static_cast<mfr::v1::OwnerKind>(kind);
  o->unwritten = (head & 1) != 0;
  if (o->kind == mfr::v1::OWNER_KIND_METADATA &&
      (!GetVarint(in, &meta) || meta > 64 ||
       !mfr::v1::MetadataKind_IsValid(static_cast<int>(meta)))) {
    return false;
  }
  o->metadata_kind = static_cast<mfr::v1::MetadataKind>(meta);
  if (o->IsFile() && !GetVarint(in, &o->inode)) return false;
  if (HasFileOffset(o->kind) && !GetVarint(in, &o->file_offset)) return false;
  return true;
}

}  // namespace

void SegmentRunEncoder::Add(const Segment& segment) {
  if (segments_ == 0) start_ = segment.start;
  // Encoded in place: room for the longest encoding, then cut to size.
  const size_t used = body_.size();
  body_.resize(used + kMaxSegmentHeaderBytes +
               segment.owners.size() * kMaxOwnerBytes);
  char* const begin = body_.data() + used;
  char* p = EncodeVarint(begin, segments_ == 0 ? 0 : segment.start - end_);
  p = EncodeVarint(p, segment.length);
  p = EncodeVarint(p, segment.owners.size());
  for (const Owner& o : segment.owners) p = EncodeOwner(p, o);
  body_.resize(used + (p - begin));
  end_ = segment.start + segment.length;
  ++segments_;
}

void SegmentRunEncoder::Finish(std::string* value) {
  value->clear();
  PutVarint(value, end_ - start_);
  value->append(body_);
  body_.clear();
  segments_ = 0;
}

SegmentRunReader::SegmentRunReader(uint64_t end, absl::string_view value)
    : end_(end), rest_(value) {
  uint64_t span;
  if (!GetVarint(&rest_, &span) || span == 0 || span > end) {
    Fail("malformed segment run header");
    return;
  }
  position_ = end - span;
}

bool SegmentRunReader::Fail(absl::string_view why) {
  if (status_.ok()) status_ = absl::InvalidArgumentError(why);
  rest_ = {};
  return false;
}

bool SegmentRunReader::Next(Segment* segment) {
  if (!status_.ok()) return false;
  if (rest_.empty()) {
    if (first_) return Fail("segment run without segments");
    if (position_ != end_) return Fail("segment run ends before its key");
    return false;
  }
  uint64_t gap, length, count;
  if (!GetVarint(&rest_, &gap) || (first_ && gap != 0) ||
      !GetVarint(&rest_, &length) || length == 0 ||
      !GetVarint(&rest_, &count) || count == 0 || count > rest_.size() ||
      count > kMaxOwnersPerSegment) {
    return Fail("malformed segment header");
  }
  // Overflow-safe: the segment must end at or before the run's key.
  if (gap > end_ - position_ || length > end_ - position_ - gap) {
    return Fail("segment past the end of its run");
  }
  segment->start = position_ + gap;
  segment->length = length;
  segment->owners.resize(count);
  for (Owner& o : segment->owners) {
    if (!GetOwner(&rest_, &o)) return Fail("malformed segment owner");
  }
  position_ = segment->start + length;
  first_ = false;
  return true;
}

std::string EncodeRawRecord(const RawRecord& record) {
  std::string out;
  PutVarint(&out, record.start);
  PutVarint(&out, record.length);
  PutOwner(&out, record.owner);
  return out;
}

absl::StatusOr<RawRecord> DecodeRawRecord(absl::string_view value) {
  RawRecord r;
  if (!GetVarint(&value, &r.start) || !GetVarint(&value, &r.length) ||
      !GetOwner(&value, &r.owner) || !value.empty()) {
    return absl::InvalidArgumentError("malformed staged record");
  }
  return r;
}

}  // namespace mfr::storage
