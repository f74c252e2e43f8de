#include "storage/segment.h"

namespace mfr::storage {
namespace {

// Owners are bounded so that a hostile value cannot make us allocate
// without limit; real reflink fan-out is far below this.
constexpr uint64_t kMaxOwnersPerSegment = 1 << 20;

void PutVarint(std::string* dst, uint64_t v) {
  while (v >= 0x80) {
    dst->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
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

// flags: bit 0 unwritten.
void PutOwner(std::string* dst, const Owner& o) {
  PutVarint(dst, o.kind);
  PutVarint(dst, o.metadata_kind);
  PutVarint(dst, o.inode);
  PutVarint(dst, o.file_offset);
  PutVarint(dst, o.unwritten ? 1 : 0);
}

bool GetOwner(absl::string_view* in, Owner* o) {
  uint64_t kind, meta, flags;
  if (!GetVarint(in, &kind) || !GetVarint(in, &meta) ||
      !GetVarint(in, &o->inode) || !GetVarint(in, &o->file_offset) ||
      !GetVarint(in, &flags)) {
    return false;
  }
  if (!mfr::v1::OwnerKind_IsValid(static_cast<int>(kind)) ||
      !mfr::v1::MetadataKind_IsValid(static_cast<int>(meta)) || kind > 64 ||
      meta > 64) {
    return false;
  }
  o->kind = static_cast<mfr::v1::OwnerKind>(kind);
  o->metadata_kind = static_cast<mfr::v1::MetadataKind>(meta);
  o->unwritten = (flags & 1) != 0;
  return true;
}

}  // namespace

std::string EncodeSegmentValue(const Segment& segment) {
  std::string out;
  out.reserve(16 + segment.owners.size() * 12);
  PutVarint(&out, segment.start);
  PutVarint(&out, segment.length);
  PutVarint(&out, segment.owners.size());
  for (const Owner& o : segment.owners) PutOwner(&out, o);
  return out;
}

absl::Status DecodeSegmentValue(absl::string_view value, Segment* segment) {
  uint64_t count;
  if (!GetVarint(&value, &segment->start) ||
      !GetVarint(&value, &segment->length) || !GetVarint(&value, &count) ||
      count > kMaxOwnersPerSegment || count > value.size()) {
    return absl::InvalidArgumentError("malformed segment value header");
  }
  segment->owners.resize(count);
  for (Owner& o : segment->owners) {
    if (!GetOwner(&value, &o)) {
      return absl::InvalidArgumentError("malformed segment owner");
    }
  }
  if (!value.empty()) {
    return absl::InvalidArgumentError("trailing bytes in segment value");
  }
  return absl::OkStatus();
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
