// Table-driven mapping of GETFSMAP records to mfr reverse-map records.
#include "agent/snapshot/fsmap_convert.h"

#include <limits>

#include "absl/strings/str_cat.h"

namespace mfr::agent::snapshot {
namespace {

using ::mfr::v1::MetadataKind;
using ::mfr::v1::OwnerKind;

struct SpecialOwner {
  uint64_t owner;
  OwnerKind kind;
  MetadataKind metadata;
};

// Owners every family shares (<linux/fsmap.h>).
constexpr SpecialOwner kGenericOwners[] = {
    {FMR_OWN_FREE, v1::OWNER_KIND_FREE_SPACE, v1::METADATA_KIND_UNSPECIFIED},
    {FMR_OWN_UNKNOWN, v1::OWNER_KIND_UNKNOWN, v1::METADATA_KIND_UNSPECIFIED},
    {FMR_OWN_METADATA, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_OTHER},
};

constexpr SpecialOwner kXfsOwners[] = {
    {kXfsOwnFs, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_FS_HEADERS},
    {kXfsOwnLog, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_LOG},
    // Per-AG metadata: the AGFL and the free-space and rmap btrees.
    {kXfsOwnAg, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_SPACE_BTREES},
    {kXfsOwnInobt, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODE_BTREES},
    {kXfsOwnInodes, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODES},
    {kXfsOwnRefc, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_REFCOUNT_BTREE},
    {kXfsOwnCow, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_COW_STAGING},
    {kXfsOwnDefective, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_DEFECTIVE},
};

constexpr SpecialOwner kExt4Owners[] = {
    {kExt4OwnFs, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_FS_HEADERS},
    {kExt4OwnLog, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_LOG},
    {kExt4OwnInodes, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODES},
    {kExt4OwnGdt, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_GROUP_DESCRIPTORS},
    {kExt4OwnResvGdt, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_RESERVED_GDT},
    {kExt4OwnBlkbm, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_BLOCK_BITMAP},
    {kExt4OwnInobm, v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODE_BITMAP},
};

template <size_t N>
const SpecialOwner* Find(const SpecialOwner (&table)[N], uint64_t owner) {
  for (const SpecialOwner& entry : table) {
    if (entry.owner == owner) return &entry;
  }
  return nullptr;
}

const SpecialOwner* FindSpecialOwner(uint64_t owner, FsFamily family) {
  if (const SpecialOwner* found = Find(kGenericOwners, owner)) return found;
  switch (family) {
    case FsFamily::kXfs:
      return Find(kXfsOwners, owner);
    case FsFamily::kExt4:
      return Find(kExt4Owners, owner);
    case FsFamily::kOther:
      return nullptr;
  }
  return nullptr;
}

void ConvertSpecialOwner(const struct fsmap& rec, FsFamily family,
                         v1::ReverseMapRecord* out) {
  const SpecialOwner* owner = FindSpecialOwner(rec.fmr_owner, family);
  if (owner == nullptr) {
    // A special owner this family does not define (e.g. a newer kernel's):
    // still metadata, just not one mfr can name.
    out->set_kind(v1::OWNER_KIND_METADATA);
    out->set_metadata_kind(v1::METADATA_KIND_OTHER);
    return;
  }
  out->set_kind(owner->kind);
  out->set_metadata_kind(owner->metadata);
}

void ConvertInodeOwner(const struct fsmap& rec, v1::ReverseMapRecord* out) {
  out->set_inode(rec.fmr_owner);
  if (rec.fmr_flags & FMR_OF_EXTENT_MAP) {
    // Extent-map (bmbt) blocks of either fork: no file offset applies.
    out->set_kind(v1::OWNER_KIND_EXTENT_MAP);
    return;
  }
  out->set_kind((rec.fmr_flags & FMR_OF_ATTR_FORK)
                    ? v1::OWNER_KIND_FILE_ATTR_FORK
                    : v1::OWNER_KIND_FILE_DATA);
  out->set_file_offset_bytes(rec.fmr_offset);
  out->set_unwritten((rec.fmr_flags & FMR_OF_PREALLOC) != 0);
}

}  // namespace

FsFamily FsFamilyFromName(absl::string_view fs_type) {
  if (fs_type == "xfs") return FsFamily::kXfs;
  if (fs_type == "ext4" || fs_type == "ext3" || fs_type == "ext2") {
    return FsFamily::kExt4;
  }
  return FsFamily::kOther;
}

bool IsAnonymousOwner(const struct fsmap& rec) {
  return (rec.fmr_flags & FMR_OF_SPECIAL_OWNER) &&
         (rec.fmr_owner == FMR_OWN_FREE || rec.fmr_owner == FMR_OWN_UNKNOWN);
}

absl::Status FsmapToRecord(const struct fsmap& rec, FsFamily family,
                           v1::ReverseMapRecord* out) {
  if (rec.fmr_length == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("fsmap record at ", rec.fmr_physical, " has length 0"));
  }
  if (rec.fmr_physical >
      std::numeric_limits<uint64_t>::max() - rec.fmr_length) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fsmap record ", rec.fmr_physical, "+", rec.fmr_length, " overflows"));
  }
  out->Clear();
  out->set_physical_offset_bytes(rec.fmr_physical);
  out->set_length_bytes(rec.fmr_length);
  if (rec.fmr_flags & FMR_OF_SPECIAL_OWNER) {
    ConvertSpecialOwner(rec, family, out);
  } else {
    ConvertInodeOwner(rec, out);
  }
  return absl::OkStatus();
}

}  // namespace mfr::agent::snapshot
