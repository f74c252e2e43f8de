#include "tests/bench/synthetic_snapshot.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"

namespace mfr::bench {
namespace {

constexpr uint64_t kMaxMetadataBlocks = 16;
constexpr uint64_t kMaxFreeBlocks = 512;
constexpr uint64_t kMaxFileBlocks = 32;
constexpr uint64_t kMaxExtentsPerFile = 7;  // 1..7, mean 4
constexpr uint64_t kSharedOverhangBlocks = 8;
constexpr double kHoleChance = 0.1;  // a hole before a file's next extent
constexpr double kUnwrittenChance = 0.02;

constexpr mfr::v1::MetadataKind kMetadataKinds[] = {
    mfr::v1::METADATA_KIND_FS_HEADERS,   mfr::v1::METADATA_KIND_LOG,
    mfr::v1::METADATA_KIND_SPACE_BTREES, mfr::v1::METADATA_KIND_INODE_BTREES,
    mfr::v1::METADATA_KIND_INODES,       mfr::v1::METADATA_KIND_REFCOUNT_BTREE,
};

}  // namespace

uint64_t FastRandom::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

SyntheticSnapshot::SyntheticSnapshot(const SyntheticOptions& options)
    : options_(options), random_(options.seed) {}

uint64_t SyntheticSnapshot::InodeOfFile(uint64_t k) {
  FastRandom hash(k);
  return 1024 + 64 * k + hash.Next() % 64;
}

uint64_t SyntheticSnapshot::MaxEndBytes() const {
  const uint64_t per_record =
      std::max({kMaxMetadataBlocks, kMaxFreeBlocks, kMaxFileBlocks});
  return (options_.records * per_record + kSharedOverhangBlocks) *
         options_.block_bytes;
}

mfr::v1::SnapshotFooter SyntheticSnapshot::Footer() const {
  mfr::v1::SnapshotFooter footer;
  footer.set_record_count(records_);
  footer.set_inode_count(inodes_sent_);
  return footer;
}

bool SyntheticSnapshot::Next(size_t max_entries,
                             mfr::v1::SnapshotBatch* batch) {
  size_t added = 0;
  for (; added < max_entries && records_ < options_.records; ++added) {
    NextRecord(batch->add_records());
  }
  for (; options_.with_paths && added < max_entries && inodes_sent_ < files_;
       ++added) {
    AddPath(batch);
  }
  return added > 0;
}

void SyntheticSnapshot::NextRecord(mfr::v1::ReverseMapRecord* r) {
  ++records_;
  if (has_pending_) {
    has_pending_ = false;
    r->Swap(&pending_);
  } else {
    const uint64_t pick = random_.Next();
    const double u = (pick >> 11) * 0x1.0p-53;
    if (u < options_.metadata_fraction) {
      Place(cursor_block_, random_.Between(1, kMaxMetadataBlocks),
            mfr::v1::OWNER_KIND_METADATA, r);
      r->set_metadata_kind(kMetadataKinds[pick % std::size(kMetadataKinds)]);
    } else if (u < options_.metadata_fraction + options_.free_fraction) {
      Place(cursor_block_, random_.Between(1, kMaxFreeBlocks),
            mfr::v1::OWNER_KIND_FREE_SPACE, r);
    } else {
      FileExtent(r);
    }
  }
  end_ = std::max(end_, r->physical_offset_bytes() + r->length_bytes());
}

void SyntheticSnapshot::FileExtent(mfr::v1::ReverseMapRecord* r) {
  if (file_extents_left_ == 0) StartNextFile();
  --file_extents_left_;
  if (random_.Chance(kHoleChance)) {
    file_offset_block_ += random_.Between(1, 256);
  }
  const uint64_t start = cursor_block_;
  const uint64_t blocks = random_.Between(1, kMaxFileBlocks);
  Place(start, blocks, mfr::v1::OWNER_KIND_FILE_DATA, r);
  r->set_inode(InodeOfFile(files_ - 1));
  r->set_file_offset_bytes(file_offset_block_ * options_.block_bytes);
  r->set_unwritten(random_.Chance(kUnwrittenChance));
  file_offset_block_ += blocks;
  if (files_ >= 2 && records_ < options_.records &&
      random_.Chance(options_.shared_fraction)) {
    PlanSharedOwner(start, blocks);
  }
}

// Another (earlier) file owning the same range, a part of it, or a range
// that starts inside it and runs past its end.
void SyntheticSnapshot::PlanSharedOwner(uint64_t start_block, uint64_t blocks) {
  const bool same_range = random_.Chance(0.5);
  const uint64_t skip = same_range ? 0 : random_.Between(0, blocks - 1);
  const uint64_t length =
      same_range ? blocks
                 : random_.Between(1, blocks - skip + kSharedOverhangBlocks);
  const uint64_t primary_end = cursor_block_;
  pending_.Clear();
  Place(start_block + skip, length, mfr::v1::OWNER_KIND_FILE_DATA, &pending_);
  cursor_block_ = std::max(primary_end, start_block + skip + length);
  pending_.set_inode(InodeOfFile(random_.Between(0, files_ - 2)));
  pending_.set_file_offset_bytes(random_.Between(0, 1 << 20) *
                                 options_.block_bytes);
  has_pending_ = true;
}

void SyntheticSnapshot::StartNextFile() {
  ++files_;
  file_offset_block_ = 0;
  file_extents_left_ = random_.Between(1, kMaxExtentsPerFile);
}

void SyntheticSnapshot::Place(uint64_t start_block, uint64_t blocks,
                              mfr::v1::OwnerKind kind,
                              mfr::v1::ReverseMapRecord* r) {
  r->set_physical_offset_bytes(start_block * options_.block_bytes);
  r->set_length_bytes(blocks * options_.block_bytes);
  r->set_kind(kind);
  cursor_block_ = start_block + blocks;
}

void SyntheticSnapshot::AddPath(mfr::v1::SnapshotBatch* batch) {
  const uint64_t k = inodes_sent_++;
  auto* entry = batch->add_inodes();
  entry->set_inode(InodeOfFile(k));
  entry->add_paths(
      absl::StrFormat("srv/data/d%05d/file-%08d.dat", k / 1000, k));
}

}  // namespace mfr::bench
