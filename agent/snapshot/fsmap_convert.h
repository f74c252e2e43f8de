// Pure conversion of one GETFSMAP record (struct fsmap, <linux/fsmap.h>)
// into an mfr::v1::ReverseMapRecord.
//
// Contract:
// - All struct fsmap quantities (fmr_physical, fmr_offset, fmr_length) are
//   BYTES, and so are the record's fields.
// - Regular owners (no FMR_OF_SPECIAL_OWNER) are inodes: FILE_DATA with the
//   file offset, FILE_ATTR_FORK (FMR_OF_ATTR_FORK, offset in the attribute
//   fork), EXTENT_MAP (FMR_OF_EXTENT_MAP, no offset). FMR_OF_PREALLOC sets
//   `unwritten`.
// - Special owners are namespaced per filesystem (FMR_OWNER(type, code)):
//   XFS and ext4 reuse each other's numbers, so the caller names the family.
//   Special owners a family does not define become METADATA/OTHER.
// - InvalidArgument for a zero length or a range that overflows 2^64; `out`
//   is then unspecified. No I/O, no allocation beyond `out`; thread-safe.
#ifndef MFR_AGENT_SNAPSHOT_FSMAP_CONVERT_H_
#define MFR_AGENT_SNAPSHOT_FSMAP_CONVERT_H_

#include <linux/fsmap.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/agent_service.pb.h"

namespace mfr::agent::snapshot {

// Which filesystem's special-owner namespace applies.
enum class FsFamily { kXfs, kExt4, kOther };

// "xfs" -> kXfs; "ext2"/"ext3"/"ext4" (all served by the ext4 driver's
// GETFSMAP) -> kExt4; anything else -> kOther.
FsFamily FsFamilyFromName(absl::string_view fs_type);

// XFS special owners: fs/xfs/libxfs/xfs_fs.h (Linux, "fmr_owner special
// values for FS_IOC_GETFSMAP"); not exported by the UAPI headers.
inline constexpr uint64_t kXfsOwnFree = FMR_OWN_FREE;
inline constexpr uint64_t kXfsOwnUnknown = FMR_OWN_UNKNOWN;
inline constexpr uint64_t kXfsOwnFs = FMR_OWNER('X', 1);   // static fs metadata
inline constexpr uint64_t kXfsOwnLog = FMR_OWNER('X', 2);  // journalling log
inline constexpr uint64_t kXfsOwnAg = FMR_OWNER('X', 3);   // per-AG metadata
inline constexpr uint64_t kXfsOwnInobt = FMR_OWNER('X', 4);   // inode btree
inline constexpr uint64_t kXfsOwnInodes = FMR_OWNER('X', 5);  // inodes
inline constexpr uint64_t kXfsOwnRefc = FMR_OWNER('X', 6);    // refcount tree
inline constexpr uint64_t kXfsOwnCow = FMR_OWNER('X', 7);     // cow staging
inline constexpr uint64_t kXfsOwnDefective = FMR_OWNER('X', 8);  // bad blocks

// ext4 special owners: fs/ext4/fsmap.h (Linux). FS, LOG and INODES share
// XFS's numbers; the 'f' codes are ext4's own.
inline constexpr uint64_t kExt4OwnFs = FMR_OWNER('X', 1);
inline constexpr uint64_t kExt4OwnLog = FMR_OWNER('X', 2);
inline constexpr uint64_t kExt4OwnInodes = FMR_OWNER('X', 5);
inline constexpr uint64_t kExt4OwnGdt = FMR_OWNER('f', 1);  // group descriptors
inline constexpr uint64_t kExt4OwnResvGdt = FMR_OWNER('f', 2);  // reserved
inline constexpr uint64_t kExt4OwnBlkbm = FMR_OWNER('f', 3);    // block bitmap
inline constexpr uint64_t kExt4OwnInobm = FMR_OWNER('f', 4);    // inode bitmap

// True for FMR_OWN_FREE and FMR_OWN_UNKNOWN special owners: the only owners
// GETFSMAP reports when it cannot name owners (ext4 data, XFS without
// rmapbt).
bool IsAnonymousOwner(const struct fsmap& rec);

// Converts `rec` into `*out` (which is cleared first). See the contract above.
absl::Status FsmapToRecord(const struct fsmap& rec, FsFamily family,
                           mfr::v1::ReverseMapRecord* out);

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_FSMAP_CONVERT_H_
