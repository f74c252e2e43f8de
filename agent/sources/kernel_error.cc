// Shared helpers of the kernel-message parsers.
#include "agent/sources/kernel_error.h"

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {

uint32_t LogicalBlockBytes(const KernelErrorParserOptions& o,
                           absl::string_view device) {
  if (!o.logical_block_bytes) return kSectorBytes;
  const uint32_t b = SanitizeBlockSize(o.logical_block_bytes(device));
  return b == 0 ? kSectorBytes : b;
}

uint32_t FsBlockBytes(const KernelErrorParserOptions& o,
                      absl::string_view device) {
  if (!o.fs_block_bytes) return 0;
  return SanitizeBlockSize(o.fs_block_bytes(device));
}

void SetDeviceRange(KernelErrorParse* out, KernelErrorFormat format,
                    absl::string_view device, uint64_t offset, uint64_t length,
                    bool exact) {
  if (!IsValidRange(offset, length)) {
    SetRejected(out, "empty or overflowing range");
    return;
  }
  out->outcome = ParseOutcome::kRange;
  KernelError& e = out->error;
  e.format = format;
  e.target = KernelErrorTarget::kDevice;
  e.device.assign(device.data(), device.size());
  e.offset_bytes = offset;
  e.length_bytes = length;
  e.length_exact = exact;
}

void SetDeviceRangeInUnits(KernelErrorParse* out, KernelErrorFormat format,
                           absl::string_view device, uint64_t units,
                           uint64_t unit_bytes, uint64_t length, bool exact) {
  uint64_t offset;
  if (!CheckedMul(units, unit_bytes, &offset)) {
    SetRejected(out, "offset overflows 64 bits");
    return;
  }
  SetDeviceRange(out, format, device, offset, length, exact);
}

void SetIgnored(KernelErrorParse* out, absl::string_view reason) {
  out->outcome = ParseOutcome::kIgnored;
  out->reason = reason;
}

void SetRejected(KernelErrorParse* out, absl::string_view reason) {
  out->outcome = ParseOutcome::kRejected;
  out->reason = reason;
}

mfr::v1::ErrorKind KindOfErrno(int64_t err, bool* non_media) {
  if (err < 0) err = -err;
  *non_media = false;
  switch (err) {
    case 61:  // ENODATA: BLK_STS_MEDIUM
      return mfr::v1::ERROR_KIND_MEDIUM;
    case 74:   // EBADMSG: XFS EFSBADCRC
    case 117:  // EUCLEAN: XFS/ext4 EFSCORRUPTED
      return mfr::v1::ERROR_KIND_FS_CORRUPTION;
    case 11:   // EAGAIN
    case 12:   // ENOMEM
    case 16:   // EBUSY
    case 19:   // ENODEV
    case 28:   // ENOSPC
    case 67:   // ENOLINK: BLK_STS_TRANSPORT
    case 110:  // ETIMEDOUT
      *non_media = true;
      return mfr::v1::ERROR_KIND_IO;
    default:
      return mfr::v1::ERROR_KIND_IO;
  }
}

}  // namespace mfr::agent::sources
