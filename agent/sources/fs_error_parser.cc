// Implementation of the XFS, ext2/3/4 and iomap error-line parser.
#include "agent/sources/fs_error_parser.h"

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

void SetFsKind(KernelErrorParse* out, mfr::v1::ErrorKind kind,
               absl::string_view what, bool non_media) {
  if (out->outcome != ParseOutcome::kRange) return;
  out->error.kind = kind;
  out->error.what = what;
  out->error.non_media = non_media;
}

// "metadata I/O error in \"F\" at daddr 0x40 len 8 error 5" and the 3.x
// "metadata I/O error: block 0x48 (\"F\") error 5 numblks 8|buf count N".
bool ParseXfsIoError(absl::string_view dev, absl::string_view s,
                     KernelErrorParse* out) {
  uint64_t daddr, len, err, bytes;
  bool ok;
  if (ConsumeLiteral(&s, "metadata I/O error in ")) {
    ok = SkipPast(&s, "\" at daddr ") && ConsumeHex(&s, &daddr) &&
         ConsumeLiteral(&s, " len ") && ConsumeDecimal(&s, &len) &&
         ConsumeLiteral(&s, " error ") && ConsumeDecimal(&s, &err) &&
         CheckedMul(len, kSectorBytes, &bytes);
  } else if (ConsumeLiteral(&s, "metadata I/O error: block ")) {
    ok = ConsumeHex(&s, &daddr) && SkipPast(&s, "\") error ") &&
         ConsumeDecimal(&s, &err);
    if (ok && ConsumeLiteral(&s, " numblks ")) {
      ok = ConsumeDecimal(&s, &len) && CheckedMul(len, kSectorBytes, &bytes);
    } else if (ok) {
      ok = ConsumeLiteral(&s, " buf count ") && ConsumeDecimal(&s, &bytes);
    }
  } else {
    return false;
  }
  if (!ok) {
    SetRejected(out, "malformed XFS metadata I/O error line");
    return true;
  }
  SetDeviceRangeInUnits(out, KernelErrorFormat::kXfs, dev, daddr, kSectorBytes,
                        bytes, /*exact=*/true);
  bool non_media;
  const mfr::v1::ErrorKind kind =
      KindOfErrno(static_cast<int64_t>(err), &non_media);
  SetFsKind(out, kind, "XFS metadata I/O error", non_media);
  return true;
}

// "Metadata corruption|CRC error detected at F, [name ]block 0x1478 ...".
bool ParseXfsVerifier(absl::string_view dev, absl::string_view s,
                      const KernelErrorParserOptions& o,
                      KernelErrorParse* out) {
  if (!ConsumeLiteral(&s, "Metadata corruption detected at ") &&
      !ConsumeLiteral(&s, "Metadata CRC error detected at ")) {
    return false;
  }
  uint64_t daddr;
  if (!SkipPast(&s, "block 0x")) {
    SetIgnored(out, "XFS corruption without a disk address");
    return true;
  }
  if (!ConsumeHex(&s, &daddr)) {
    SetRejected(out, "malformed XFS verifier line");
    return true;
  }
  SetDeviceRangeInUnits(out, KernelErrorFormat::kXfs, dev, daddr, kSectorBytes,
                        LogicalBlockBytes(o, dev),
                        /*exact=*/false);
  SetFsKind(out, mfr::v1::ERROR_KIND_FS_CORRUPTION, "XFS metadata corruption",
            false);
  return true;
}

bool ParseXfs(absl::string_view s, const KernelErrorParserOptions& o,
              KernelErrorParse* out) {
  absl::string_view dev;
  if (!ConsumeLiteral(&s, "XFS (") || !ConsumeDeviceName(&s, &dev) ||
      !ConsumeLiteral(&s, "): ")) {
    return false;
  }
  return ParseXfsIoError(dev, s, out) || ParseXfsVerifier(dev, s, o, out);
}

// The fs block an ext2/3/4 error line names, if any.
bool FindExtBlock(absl::string_view s, bool warning, uint64_t* block) {
  if (warning) {
    return FindText(s, "I/O error") != absl::string_view::npos &&
           SkipPast(&s, "starting block ") && ConsumeDecimal(&s, block);
  }
  for (absl::string_view marker :
       {": block ", "pblk ", "block_bitmap = ", "inode_bitmap = "}) {
    absl::string_view t = s;
    if (SkipPast(&t, marker) && ConsumeDecimal(&t, block)) return true;
  }
  return false;
}

bool IsExtReadFailure(absl::string_view s) {
  for (absl::string_view m : {"I/O error", "unable to read", "Cannot read",
                              "error reading", "read error"}) {
    if (FindText(s, m) != absl::string_view::npos) return true;
  }
  return false;
}

bool ParseExt(absl::string_view s, const KernelErrorParserOptions& o,
              KernelErrorParse* out) {
  if (!ConsumeLiteral(&s, "EXT4-fs ") && !ConsumeLiteral(&s, "EXT3-fs ") &&
      !ConsumeLiteral(&s, "EXT2-fs ")) {
    return false;
  }
  const bool warning = ConsumeLiteral(&s, "warning (device ");
  absl::string_view dev;
  if ((!warning && !ConsumeLiteral(&s, "error (device ")) ||
      !ConsumeDeviceName(&s, &dev) || !ConsumeLiteral(&s, "): ")) {
    return false;
  }
  uint64_t block;
  if (!FindExtBlock(s, warning, &block)) {
    if (warning) return false;
    SetIgnored(out, "ext error without a disk block");
    return true;
  }
  const uint32_t known = FsBlockBytes(o, dev);
  const uint32_t bs = known != 0 ? known : kAssumedFsBlockBytes;
  SetDeviceRangeInUnits(out, KernelErrorFormat::kExt4, dev, block, bs, bs,
                        /*exact=*/false);
  const bool io = warning || IsExtReadFailure(s);
  SetFsKind(out,
            io ? mfr::v1::ERROR_KIND_IO : mfr::v1::ERROR_KIND_FS_CORRUPTION,
            io ? "ext4 I/O error" : "ext4 metadata corruption", false);
  if (out->outcome == ParseOutcome::kRange) {
    out->error.block_size_assumed = known == 0;
    if (warning) out->error.op = BlockOp::kWrite;
  }
  return true;
}

// "loop0: writeback error on inode 131, offset 0, sector 96".
bool ParseIomap(absl::string_view s, const KernelErrorParserOptions& o,
                KernelErrorParse* out) {
  absl::string_view dev;
  uint64_t sector;
  if (!ConsumeDeviceName(&s, &dev) ||
      !ConsumeLiteral(&s, ": writeback error on inode ")) {
    return false;
  }
  if (!SkipPast(&s, ", sector ") || !ConsumeDecimal(&s, &sector)) {
    SetRejected(out, "malformed iomap writeback error line");
    return true;
  }
  SetDeviceRangeInUnits(out, KernelErrorFormat::kIomap, dev, sector,
                        kSectorBytes, LogicalBlockBytes(o, dev),
                        /*exact=*/false);
  SetFsKind(out, mfr::v1::ERROR_KIND_IO, "writeback error", false);
  if (out->outcome == ParseOutcome::kRange) out->error.op = BlockOp::kWrite;
  return true;
}

}  // namespace

bool ParseFsError(absl::string_view message,
                  const KernelErrorParserOptions& options,
                  KernelErrorParse* out) {
  if (message.empty()) return false;
  switch (message[0]) {
    case 'X':
      return ParseXfs(message, options, out);
    case 'E':
      return ParseExt(message, options, out);
    default:
      return ParseIomap(message, options, out);
  }
}

}  // namespace mfr::agent::sources
