// Pure parser for filesystem error lines that name a disk address.
//
// XFS (fs/xfs/xfs_buf.c xfs_buf_ioerror_alert, xfs_verifier_error); daddr
// and len are 512-byte units on the filesystem's data device:
//   5.x+  "XFS (loop0): metadata I/O error in \"xfs_buf_ioend+0x1a0/0x3e0
//          [xfs]\" at daddr 0x40 len 8 error 5"
//   4.x   "... metadata I/O error in \"xfs_trans_read_buf_map\" at daddr ..."
//   3.x   "XFS (dm-7): metadata I/O error: block 0x280000010
//          (\"xlog_bread_noalign\") error 5 numblks 8" (or "buf count 4096")
//   "XFS (vda4): Metadata CRC error detected at xfs_dquot_buf_verify_crc+0xe6
//    /0x120 [xfs], xfs_dquot block 0x1478 ..." (one logical block, inexact)
// The errno decides the kind: 5 EIO -> IO, 61 ENODATA -> MEDIUM, 74/117
// (EFSBADCRC/EFSCORRUPTED) -> FS_CORRUPTION.
//
// ext2/3/4 (fs/ext4/super.c __ext4_error*, page-io.c ext4_end_bio); blocks
// are fs blocks (block size from the caller, else 4096 assumed):
//   "EXT4-fs error (device sdb1): __ext4_get_inode_loc:4489: inode #12:
//    block 1059: comm ls: unable to read itable block"
//   "EXT4-fs error (device sda1): ext4_validate_block_bitmap:376: comm k:
//    bg 0: block 1234: invalid block bitmap"
//   "EXT4-fs error (device mmcblk1p2): ext4_find_extent:902: inode #12: comm
//    md5sum: pblk 12936 bad header/extent: ..."
//   "... Cannot read block bitmap - block_group = 3, block_bitmap = 1234"
//   "EXT4-fs warning (device dm-1): ext4_end_bio:316: I/O error -5 writing to
//    inode 10223621 (offset 0 size 8388608 starting block 14403824)"
// Lines that only name a file-relative "lblock" are kIgnored.
//
// iomap writeback (fs/iomap/buffered-io.c, 5.x+), sector in 512-byte units:
//   "loop0: writeback error on inode 131, offset 0, sector 96"
#ifndef MFR_AGENT_SOURCES_FS_ERROR_PARSER_H_
#define MFR_AGENT_SOURCES_FS_ERROR_PARSER_H_

#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"

namespace mfr::agent::sources {

// False (out untouched) if `message` is not an XFS, ext2/3/4 error or iomap
// writeback line; else true with out->outcome set.
bool ParseFsError(absl::string_view message,
                  const KernelErrorParserOptions& options,
                  KernelErrorParse* out);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_FS_ERROR_PARSER_H_
