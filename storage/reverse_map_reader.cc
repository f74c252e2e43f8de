#include "storage/reverse_map_reader.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/inode_paths.h"
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
  // Runs are keyed by their end: the first one ending after the range's
  // first byte holds the first segment that can overlap it.
  bool past_range = false;
  for (it->Seek(SegmentKey(id, gen, range.offset + 1));
       !past_range && it->Valid(); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (key.size() != 24) return absl::DataLossError("malformed segment key");
    SegmentRunReader run(
        SegmentEndOf(key),
        absl::string_view(it->value().data(), it->value().size()));
    while (run.Next(&segment)) {
      if (segment.start >= range.end()) {
        past_range = true;
        break;
      }
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
    if (!run.status().ok()) {
      return absl::DataLossError(
          absl::StrCat("unreadable segment run: ", run.status().message()));
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
  // Most answers name one inode; a few name a handful.
  std::vector<std::pair<uint64_t, std::vector<std::string>>> paths;
  for (auto& owner : *owners) {
    if (owner.inode() == 0) continue;
    auto entry = std::find_if(paths.begin(), paths.end(), [&](const auto& p) {
      return p.first == owner.inode();
    });
    if (entry == paths.end()) {
      entry = paths.insert(paths.end(), {owner.inode(), {}});
      if (auto s = ReadPaths(fs, view, owner.inode(), &entry->second);
          !s.ok()) {
        return s;
      }
    }
    for (const auto& p : entry->second) owner.add_paths(p);
  }
  return absl::OkStatus();
}

absl::Status ReverseMapReader::ReadPaths(
    const mfr::internal::FilesystemRecord& fs, const rocksdb::Snapshot* view,
    uint64_t inode, std::vector<std::string>* paths) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  rocksdb::PinnableSlice value;
  auto s = db_->raw()->Get(ro, db_->cf(Family::kInodes),
                           U64Key(fs.fs_id(), fs.storage_generation(), inode),
                           &value);
  if (s.IsNotFound()) return absl::OkStatus();  // no path was found for it
  if (!s.ok()) return FromRocks(s, "reading paths");
  if (auto decoded =
          DecodeInodePaths(absl::string_view(value.data(), value.size()),
                           kMaxStoredPathsPerInode, paths);
      !decoded.ok()) {
    return absl::DataLossError(
        absl::StrCat("paths of inode ", inode, ": ", decoded.message()));
  }
  return absl::OkStatus();
}

}  // namespace mfr::storage
