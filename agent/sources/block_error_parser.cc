// Implementation of the block-layer and Buffer I/O error parsers.
#include "agent/sources/block_error_parser.h"

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

using mfr::v1::ErrorKind;

// blk_errors[] names (block/blk-core.c), what we call them, and whether the
// status means something other than damaged media.
struct StatusName {
  absl::string_view name;
  absl::string_view what;
  ErrorKind kind;
  bool non_media;
};

constexpr StatusName kStatuses[] = {
    {"I/O", "I/O error", mfr::v1::ERROR_KIND_IO, false},
    {"critical medium", "critical medium error", mfr::v1::ERROR_KIND_MEDIUM,
     false},
    {"protection", "protection error", mfr::v1::ERROR_KIND_MEDIUM, false},
    {"critical target", "critical target error", mfr::v1::ERROR_KIND_IO, false},
    {"critical nexus", "critical nexus error", mfr::v1::ERROR_KIND_IO, true},
    {"reservation conflict", "reservation conflict error",
     mfr::v1::ERROR_KIND_IO, true},
    {"critical space allocation", "critical space allocation error",
     mfr::v1::ERROR_KIND_IO, true},
    {"timeout", "timeout error", mfr::v1::ERROR_KIND_IO, true},
    {"recoverable transport", "recoverable transport error",
     mfr::v1::ERROR_KIND_IO, true},
    {"kernel resource", "kernel resource error", mfr::v1::ERROR_KIND_IO, true},
    {"device resource", "device resource error", mfr::v1::ERROR_KIND_IO, true},
    {"nonblocking retry", "nonblocking retry error", mfr::v1::ERROR_KIND_IO,
     true},
    {"operation not supported", "operation not supported error",
     mfr::v1::ERROR_KIND_IO, true},
    {"device offline", "device offline error", mfr::v1::ERROR_KIND_IO, true},
    {"dm internal retry", "dm internal retry error", mfr::v1::ERROR_KIND_IO,
     true},
    {"open zones exceeded", "open zones exceeded error", mfr::v1::ERROR_KIND_IO,
     true},
    {"active zones exceeded", "active zones exceeded error",
     mfr::v1::ERROR_KIND_IO, true},
    {"duration limit exceeded", "duration limit exceeded error",
     mfr::v1::ERROR_KIND_IO, true},
    {"invalid", "invalid error", mfr::v1::ERROR_KIND_IO, true},
};

constexpr StatusName kUnknownStatus = {"", "block error (unknown status)",
                                       mfr::v1::ERROR_KIND_IO, false};

// A future status name: short lower-case words, no ':'.
bool LooksLikeStatusName(absl::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ' ||
          c == '/' || c == '-')) {
      return false;
    }
  }
  return true;
}

// The status of "<prefix>: <status>" with a known prefix, or a bare status.
const StatusName* FindStatus(absl::string_view head) {
  for (absl::string_view prefix :
       {"blk_update_request: ", "print_req_error: ", "end_request: "}) {
    if (ConsumeLiteral(&head, prefix)) break;
  }
  for (const StatusName& s : kStatuses) {
    if (head == s.name) return &s;
  }
  return LooksLikeStatusName(head) ? &kUnknownStatus : nullptr;
}

BlockOp OpFromName(absl::string_view name) {
  if (name == "READ") return BlockOp::kRead;
  if (name == "WRITE") return BlockOp::kWrite;
  if (name == "WRITE_ZEROES" || name == "WRITE_SAME" || name == "ZONE_APPEND") {
    return BlockOp::kOtherData;
  }
  if (name == "FLUSH" || name == "DISCARD" || name == "SECURE_ERASE" ||
      name.substr(0, 5) == "ZONE_" || name.substr(0, 4) == "DRV_" ||
      name.substr(0, 5) == "SCSI_") {
    return BlockOp::kNonData;
  }
  return BlockOp::kUnknown;
}

// REQ_OP_* numbers stable since 4.10: READ 0, WRITE 1, FLUSH 2, DISCARD 3,
// SECURE_ERASE 5, WRITE_ZEROES 9.
BlockOp OpFromNumber(uint64_t op) {
  switch (op) {
    case 0:
      return BlockOp::kRead;
    case 1:
      return BlockOp::kWrite;
    case 2:
    case 3:
    case 5:
      return BlockOp::kNonData;
    case 9:
      return BlockOp::kOtherData;
    default:
      return BlockOp::kUnknown;
  }
}

// After the sector: " op 0x0:(READ) ...", " op 0x0 flags ...", " flags 80700".
BlockOp ParseOp(absl::string_view rest) {
  uint64_t v;
  if (ConsumeLiteral(&rest, " op ") && ConsumeHex(&rest, &v)) {
    if (ConsumeLiteral(&rest, ":(")) {
      const BlockOp named = OpFromName(rest.substr(0, rest.find(')')));
      if (named != BlockOp::kUnknown) return named;
    }
    return OpFromNumber(v);
  }
  // 5.0-5.2 printed cmd_flags in hex without "0x"; the op is its low byte.
  if (ConsumeLiteral(&rest, " flags ") && ConsumeHex(&rest, &v)) {
    return OpFromNumber(v & 0xff);
  }
  return BlockOp::kUnknown;
}

}  // namespace

bool ParseBlockLayerError(absl::string_view message,
                          const KernelErrorParserOptions& options,
                          KernelErrorParse* out) {
  static constexpr absl::string_view kMarker = " error, dev ";
  const size_t at = FindText(message, kMarker);
  if (at == absl::string_view::npos) return false;
  const StatusName* status = FindStatus(message.substr(0, at));
  if (status == nullptr) return false;
  absl::string_view rest = message.substr(at + kMarker.size());
  absl::string_view device;
  uint64_t sector;
  if (ConsumeLiteral(&rest, "?,")) {
    SetIgnored(out, "request without a disk");
    return true;
  }
  if (!ConsumeDeviceName(&rest, &device) ||
      !ConsumeLiteral(&rest, ", sector ") || !ConsumeDecimal(&rest, &sector)) {
    SetRejected(out, "malformed block-layer error line");
    return true;
  }
  SetDeviceRangeInUnits(out, KernelErrorFormat::kBlockLayer, device, sector,
                        kSectorBytes, LogicalBlockBytes(options, device),
                        /*exact=*/false);
  if (out->outcome != ParseOutcome::kRange) return true;
  KernelError& e = out->error;
  e.kind = status->kind;
  e.what = status->what;
  e.non_media = status->non_media;
  e.op = ParseOp(rest);
  if (e.op == BlockOp::kNonData) SetIgnored(out, "not a data request");
  return true;
}

bool ParseBufferIoError(absl::string_view message,
                        const KernelErrorParserOptions& options,
                        KernelErrorParse* out) {
  absl::string_view rest = message;
  if (!ConsumeLiteral(&rest, "Buffer I/O error on dev")) return false;
  ConsumeLiteral(&rest, "ice");  // "on device" before 4.1
  absl::string_view device;
  uint64_t block;
  if (!ConsumeLiteral(&rest, " ") || !ConsumeDeviceName(&rest, &device) ||
      !ConsumeLiteral(&rest, ", logical block ") ||
      !ConsumeDecimal(&rest, &block)) {
    SetRejected(out, "malformed Buffer I/O error line");
    return true;
  }
  const uint32_t known = FsBlockBytes(options, device);
  const uint32_t block_bytes = known != 0 ? known : kAssumedFsBlockBytes;
  SetDeviceRangeInUnits(out, KernelErrorFormat::kBufferIo, device, block,
                        block_bytes, block_bytes, /*exact=*/known != 0);
  if (out->outcome != ParseOutcome::kRange) return true;
  KernelError& e = out->error;
  e.kind = mfr::v1::ERROR_KIND_IO;
  e.what = "Buffer I/O error";
  e.block_size_assumed = known == 0;
  if (FindText(rest, "write") != absl::string_view::npos) {
    e.op = BlockOp::kWrite;
  } else if (FindText(rest, "read") != absl::string_view::npos) {
    e.op = BlockOp::kRead;
  }
  return true;
}

}  // namespace mfr::agent::sources
