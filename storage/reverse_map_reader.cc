#include "storage/reverse_map_reader.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"
#include "storage/segment.h"

namespace mfr::storage {
namespace {

void SetRange(mfr::v1::ByteRange* out, uint64_t offset, uint64_t length) {
  out->set_offset_bytes(offset);
  out->set_length_bytes(length);
}

mfr::v1::OwnerExtent Gap(uint64_t start, uint64_t end) {
  mfr::v1::OwnerExtent gap;
  gap.set_kind(mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT);
  SetRange(gap.mutable_device_range(), start, end - start);
  return gap;
}

// Appends one extent per owner of `segment`, clipped to `clip`.
void AppendOwners(const Segment& segment, const ByteSpan& clip,
                  std::vector<mfr::v1::OwnerExtent>* out) {
  int file_owners = 0;
  for (const Owner& o : segment.owners) {
    file_owners += o.kind == mfr::v1::OWNER_KIND_FILE_DATA;
  }
  for (const Owner& o : segment.owners) {
    mfr::v1::OwnerExtent e;
    e.set_kind(o.kind);
    e.set_metadata_kind(o.metadata_kind);
    e.set_inode(o.inode);
    e.set_unwritten(o.unwritten);
    e.set_shared(o.kind == mfr::v1::OWNER_KIND_FILE_DATA && file_owners > 1);
    SetRange(e.mutable_device_range(), clip.offset, clip.length);
    if (o.kind == mfr::v1::OWNER_KIND_FILE_DATA ||
        o.kind == mfr::v1::OWNER_KIND_FILE_ATTR_FORK) {
      SetRange(e.mutable_file_range(),
               o.file_offset + (clip.offset - segment.start), clip.length);
    }
    out->push_back(std::move(e));
  }
}

}  // namespace

absl::StatusOr<std::vector<mfr::v1::OwnerExtent>> ReverseMapReader::Lookup(
    const mfr::internal::FilesystemRecord& fs, const ByteSpan& range,
    const rocksdb::Snapshot* view) const {
  if (auto s = ValidateSpan(range); !s.ok()) return s;
  if (fs.storage_generation() == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no snapshot of ", fs.mount_point(), " on ", fs.host(), " yet"));
  }
  const uint64_t id = fs.fs_id(), gen = fs.storage_generation();
  const std::string upper = U64Key(id, gen + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->raw()->NewIterator(ro, db_->cf(Family::kSegments)));

  std::vector<mfr::v1::OwnerExtent> owners;
  uint64_t covered = range.offset;  // everything below is accounted for
  Segment segment;
  // Segments are keyed by end: the first one ending after the range's first
  // byte is the first that can overlap it.
  for (it->Seek(SegmentKey(id, gen, range.offset + 1)); it->Valid();
       it->Next()) {
    auto s = DecodeSegmentValue(
        absl::string_view(it->value().data(), it->value().size()), &segment);
    if (!s.ok()) return s;
    if (segment.start >= range.end()) break;
    auto clip = Intersect({segment.start, segment.length}, range);
    if (!clip) continue;
    if (clip->offset > covered) owners.push_back(Gap(covered, clip->offset));
    AppendOwners(segment, *clip, &owners);
    covered = clip->end();
    if (owners.size() > kMaxOwnerExtents) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "more than ", kMaxOwnerExtents, " owners in the range; narrow it"));
    }
  }
  if (auto s = FromRocks(it->status(), "reading segments"); !s.ok()) return s;
  if (covered < range.end()) owners.push_back(Gap(covered, range.end()));
  if (auto s = FillPaths(fs, view, &owners); !s.ok()) return s;
  return owners;
}

absl::Status ReverseMapReader::FillPaths(
    const mfr::internal::FilesystemRecord& fs, const rocksdb::Snapshot* view,
    std::vector<mfr::v1::OwnerExtent>* owners) const {
  std::map<uint64_t, std::vector<std::string>> paths;
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->raw()->NewIterator(ro, db_->cf(Family::kInodes)));
  for (auto& owner : *owners) {
    if (owner.inode() == 0) continue;
    auto [entry, inserted] = paths.try_emplace(owner.inode());
    if (inserted) {
      const std::string prefix =
          U64Key(fs.fs_id(), fs.storage_generation(), owner.inode());
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) &&
                             entry->second.size() < kMaxPathsPerInode;
           it->Next()) {
        absl::string_view key(it->key().data(), it->key().size());
        entry->second.emplace_back(InodePathOf(key));
      }
      if (auto s = FromRocks(it->status(), "reading paths"); !s.ok()) return s;
    }
    for (const auto& p : entry->second) owner.add_paths(p);
  }
  return absl::OkStatus();
}

}  // namespace mfr::storage
