// Dispatch of one kernel message to the parser of its family.
#include "agent/sources/kernel_error_parser.h"

#include "agent/sources/block_error_parser.h"
#include "agent/sources/fs_error_parser.h"
#include "agent/sources/md_error_parser.h"
#include "agent/sources/memory_error_parser.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

// Families recognizable by their first byte; false if none matched.
bool ParseByFirstByte(absl::string_view m, const KernelErrorParserOptions& o,
                      KernelErrorParse* out) {
  switch (m[0]) {
    case 'B':
      return ParseBufferIoError(m, o, out);
    case 'X':
    case 'E':
      return ParseFsError(m, o, out);
    case 'm':
    case 'r':
      return ParseMdError(m, o, out) || ParseMemoryError(m, out);
    case 'M':
    case '[':
    case '{':
    case 'g':
      return ParseMemoryError(m, out);
    default:
      return false;
  }
}

}  // namespace

KernelErrorParse ParseKernelError(absl::string_view message,
                                  const KernelErrorParserOptions& options) {
  KernelErrorParse out;
  if (message.size() > kMaxKernelMessageBytes) {
    SetRejected(&out, "message too long");
    return out;
  }
  message = TrimTrailing(message);
  if (message.empty()) return out;
  if (ParseByFirstByte(message, options, &out)) return out;
  if (ParseBlockLayerError(message, options, &out)) return out;
  if (message[0] != 'X' && message[0] != 'E') {
    ParseFsError(message, options, &out);  // iomap "dev: writeback error"
  }
  return out;
}

absl::string_view ErrorKindName(mfr::v1::ErrorKind kind) {
  switch (kind) {
    case mfr::v1::ERROR_KIND_IO:
      return "io";
    case mfr::v1::ERROR_KIND_MEDIUM:
      return "medium";
    case mfr::v1::ERROR_KIND_POISON:
      return "poison";
    case mfr::v1::ERROR_KIND_MD_UNCORRECTABLE:
      return "md_uncorrectable";
    case mfr::v1::ERROR_KIND_FS_CORRUPTION:
      return "fs_corruption";
    default:
      return "unknown";
  }
}

}  // namespace mfr::agent::sources
