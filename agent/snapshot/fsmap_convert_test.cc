// Table-driven tests of FsmapToRecord. Owner values are the kernel's (see
// fsmap_convert.h for the headers they come from); the physical layouts are
// taken from `xfs_io -c "fsmap -v"` on mkfs.xfs/mkfs.ext4 loop images.
#include "agent/snapshot/fsmap_convert.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::snapshot {
namespace {

struct Case {
  std::string name;
  FsFamily family;
  uint32_t flags;
  uint64_t owner;
  uint64_t offset;
  v1::OwnerKind kind;
  v1::MetadataKind metadata;
  uint64_t want_inode;
  uint64_t want_offset;
  bool want_unwritten;
};

constexpr uint32_t kSpecial = FMR_OF_SPECIAL_OWNER;
constexpr v1::MetadataKind kNoMeta = v1::METADATA_KIND_UNSPECIFIED;

std::vector<Case> Cases() {
  using F = FsFamily;
  return {
      {"xfs_file_data", F::kXfs, 0, 131, 8192, v1::OWNER_KIND_FILE_DATA,
       kNoMeta, 131, 8192, false},
      {"xfs_shared_data", F::kXfs, FMR_OF_SHARED, 132, 0,
       v1::OWNER_KIND_FILE_DATA, kNoMeta, 132, 0, false},
      {"xfs_prealloc", F::kXfs, FMR_OF_PREALLOC, 133, 4096,
       v1::OWNER_KIND_FILE_DATA, kNoMeta, 133, 4096, true},
      {"xfs_attr_fork", F::kXfs, FMR_OF_ATTR_FORK, 134, 0,
       v1::OWNER_KIND_FILE_ATTR_FORK, kNoMeta, 134, 0, false},
      {"xfs_bmbt", F::kXfs, FMR_OF_EXTENT_MAP, 135, 777,
       v1::OWNER_KIND_EXTENT_MAP, kNoMeta, 135, 0, false},
      {"xfs_attr_bmbt", F::kXfs, FMR_OF_EXTENT_MAP | FMR_OF_ATTR_FORK, 136, 0,
       v1::OWNER_KIND_EXTENT_MAP, kNoMeta, 136, 0, false},
      {"xfs_free", F::kXfs, kSpecial, kXfsOwnFree, 0, v1::OWNER_KIND_FREE_SPACE,
       kNoMeta, 0, 0, false},
      {"xfs_unknown", F::kXfs, kSpecial, kXfsOwnUnknown, 0,
       v1::OWNER_KIND_UNKNOWN, kNoMeta, 0, 0, false},
      {"xfs_fs", F::kXfs, kSpecial, kXfsOwnFs, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_FS_HEADERS, 0, 0, false},
      {"xfs_log", F::kXfs, kSpecial, kXfsOwnLog, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_LOG, 0, 0, false},
      {"xfs_ag", F::kXfs, kSpecial, kXfsOwnAg, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_SPACE_BTREES, 0, 0, false},
      {"xfs_inobt", F::kXfs, kSpecial, kXfsOwnInobt, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_INODE_BTREES, 0, 0, false},
      {"xfs_inodes", F::kXfs, kSpecial, kXfsOwnInodes, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODES, 0, 0, false},
      {"xfs_refc", F::kXfs, kSpecial, kXfsOwnRefc, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_REFCOUNT_BTREE, 0, 0, false},
      {"xfs_cow", F::kXfs, kSpecial, kXfsOwnCow, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_COW_STAGING, 0, 0, false},
      {"xfs_defective", F::kXfs, kSpecial, kXfsOwnDefective, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_DEFECTIVE, 0, 0, false},
      // ext4's own codes mean nothing to XFS.
      {"xfs_given_ext4_gdt", F::kXfs, kSpecial, kExt4OwnGdt, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_OTHER, 0, 0, false},
      {"generic_metadata", F::kXfs, kSpecial, FMR_OWN_METADATA, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_OTHER, 0, 0, false},
      {"ext4_free", F::kExt4, kSpecial, FMR_OWN_FREE, 0,
       v1::OWNER_KIND_FREE_SPACE, kNoMeta, 0, 0, false},
      {"ext4_unknown", F::kExt4, kSpecial, FMR_OWN_UNKNOWN, 0,
       v1::OWNER_KIND_UNKNOWN, kNoMeta, 0, 0, false},
      {"ext4_superblock", F::kExt4, kSpecial, kExt4OwnFs, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_FS_HEADERS, 0, 0, false},
      {"ext4_journal", F::kExt4, kSpecial, kExt4OwnLog, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_LOG, 0, 0, false},
      {"ext4_inode_table", F::kExt4, kSpecial, kExt4OwnInodes, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODES, 0, 0, false},
      {"ext4_gdt", F::kExt4, kSpecial, kExt4OwnGdt, 0, v1::OWNER_KIND_METADATA,
       v1::METADATA_KIND_GROUP_DESCRIPTORS, 0, 0, false},
      {"ext4_resv_gdt", F::kExt4, kSpecial, kExt4OwnResvGdt, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_RESERVED_GDT, 0, 0, false},
      {"ext4_block_bitmap", F::kExt4, kSpecial, kExt4OwnBlkbm, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_BLOCK_BITMAP, 0, 0, false},
      {"ext4_inode_bitmap", F::kExt4, kSpecial, kExt4OwnInobm, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_INODE_BITMAP, 0, 0, false},
      // The collision: XFS's per-AG owner is not an ext4 owner.
      {"ext4_given_xfs_ag", F::kExt4, kSpecial, kXfsOwnAg, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_OTHER, 0, 0, false},
      {"other_fs_named_owner", F::kOther, kSpecial, kXfsOwnLog, 0,
       v1::OWNER_KIND_METADATA, v1::METADATA_KIND_OTHER, 0, 0, false},
      {"other_fs_free", F::kOther, kSpecial, FMR_OWN_FREE, 0,
       v1::OWNER_KIND_FREE_SPACE, kNoMeta, 0, 0, false},
  };
}

class FsmapToRecordTest : public testing::TestWithParam<Case> {};

TEST_P(FsmapToRecordTest, Converts) {
  const Case& c = GetParam();
  struct fsmap rec = {};
  rec.fmr_device = 0x701;
  rec.fmr_flags = c.flags | FMR_OF_LAST;
  rec.fmr_physical = 53248;
  rec.fmr_owner = c.owner;
  rec.fmr_offset = c.offset;
  rec.fmr_length = 4096;
  v1::ReverseMapRecord out;
  out.set_inode(999);  // must be cleared
  ASSERT_TRUE(FsmapToRecord(rec, c.family, &out).ok());
  EXPECT_EQ(out.physical_offset_bytes(), 53248u);
  EXPECT_EQ(out.length_bytes(), 4096u);
  EXPECT_EQ(out.kind(), c.kind);
  EXPECT_EQ(out.metadata_kind(), c.metadata);
  EXPECT_EQ(out.inode(), c.want_inode);
  EXPECT_EQ(out.file_offset_bytes(), c.want_offset);
  EXPECT_EQ(out.unwritten(), c.want_unwritten);
}

INSTANTIATE_TEST_SUITE_P(Table, FsmapToRecordTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(FsmapToRecordTest, RejectsZeroLength) {
  struct fsmap rec = {};
  rec.fmr_owner = 131;
  v1::ReverseMapRecord out;
  EXPECT_EQ(FsmapToRecord(rec, FsFamily::kXfs, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FsmapToRecordTest, RejectsOverflow) {
  struct fsmap rec = {};
  rec.fmr_owner = 131;
  rec.fmr_physical = ~0ull - 4095;
  rec.fmr_length = 4096;
  v1::ReverseMapRecord out;
  EXPECT_EQ(FsmapToRecord(rec, FsFamily::kXfs, &out).code(),
            absl::StatusCode::kInvalidArgument);
  rec.fmr_length = 4095;  // ends exactly at 2^64 - 1: fine
  EXPECT_TRUE(FsmapToRecord(rec, FsFamily::kXfs, &out).ok());
}

TEST(FsFamilyTest, FromName) {
  EXPECT_EQ(FsFamilyFromName("xfs"), FsFamily::kXfs);
  EXPECT_EQ(FsFamilyFromName("ext4"), FsFamily::kExt4);
  EXPECT_EQ(FsFamilyFromName("ext3"), FsFamily::kExt4);
  EXPECT_EQ(FsFamilyFromName("ext2"), FsFamily::kExt4);
  EXPECT_EQ(FsFamilyFromName("btrfs"), FsFamily::kOther);
  EXPECT_EQ(FsFamilyFromName(""), FsFamily::kOther);
}

TEST(IsAnonymousOwnerTest, OnlyFreeAndUnknownSpecialOwners) {
  struct fsmap rec = {};
  rec.fmr_flags = FMR_OF_SPECIAL_OWNER;
  rec.fmr_owner = FMR_OWN_FREE;
  EXPECT_TRUE(IsAnonymousOwner(rec));
  rec.fmr_owner = FMR_OWN_UNKNOWN;
  EXPECT_TRUE(IsAnonymousOwner(rec));
  rec.fmr_owner = kXfsOwnAg;
  EXPECT_FALSE(IsAnonymousOwner(rec));
  rec.fmr_flags = 0;
  rec.fmr_owner = FMR_OWN_FREE;  // inode 1, not a special owner
  EXPECT_FALSE(IsAnonymousOwner(rec));
}

}  // namespace
}  // namespace mfr::agent::snapshot
