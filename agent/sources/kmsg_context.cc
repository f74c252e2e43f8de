// Implementation of the context-line parser.
#include "agent/sources/kmsg_context.h"

#include <cstddef>

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

constexpr size_t kMaxCdbBytes = 32;

uint64_t BigEndian(const uint8_t* b, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[i];
  return v;
}

// Two hex digits followed by a space or the end.
bool ConsumeHexByte(absl::string_view* s, uint8_t* byte) {
  if (s->size() < 2 || (s->size() > 2 && (*s)[2] != ' ')) return false;
  absl::string_view two = s->substr(0, 2);
  uint64_t v;
  if (!ConsumeHex(&two, &v) || !two.empty()) return false;
  *byte = static_cast<uint8_t>(v);
  s->remove_prefix(2);
  SkipBlanks(s);
  return true;
}

// Where READ/WRITE/VERIFY (10), (12) and (16) keep their LBA and transfer
// length (SBC-3), in big-endian bytes.
struct CdbLayout {
  uint8_t opcode, size, lba_at, lba_bytes, length_at, length_bytes;
};
constexpr CdbLayout kDataCdbs[] = {
    {0x28, 10, 2, 4, 7, 2},  {0x2a, 10, 2, 4, 7, 2},  {0x2e, 10, 2, 4, 7, 2},
    {0x2f, 10, 2, 4, 7, 2},  {0xa8, 12, 2, 4, 6, 4},  {0xaa, 12, 2, 4, 6, 4},
    {0xaf, 12, 2, 4, 6, 4},  {0x88, 16, 2, 8, 10, 4}, {0x8a, 16, 2, 8, 10, 4},
    {0x8e, 16, 2, 8, 10, 4}, {0x8f, 16, 2, 8, 10, 4},
};
// Synchronize cache, unmap, write same, inquiry, ATA pass-through, ...
constexpr uint8_t kNonDataCdbs[] = {0x00, 0x12, 0x1a, 0x1b, 0x25, 0x35,
                                    0x41, 0x42, 0x4d, 0x5a, 0x85, 0x91,
                                    0x93, 0x9e, 0xa0, 0xa1};

CommandClass DecodeBytes(const uint8_t* b, size_t n, uint64_t* lba,
                         uint64_t* blocks) {
  if ((b[0] == 0x08 || b[0] == 0x0a) && n >= 6) {  // READ(6), WRITE(6)
    *lba = BigEndian(b + 1, 3) & 0x1fffff;
    *blocks = b[4] == 0 ? 256 : b[4];
    return CommandClass::kData;
  }
  for (const CdbLayout& l : kDataCdbs) {
    if (l.opcode != b[0]) continue;
    if (n < l.size) return CommandClass::kUnknown;
    *lba = BigEndian(b + l.lba_at, l.lba_bytes);
    *blocks = BigEndian(b + l.length_at, l.length_bytes);
    return *blocks == 0 ? CommandClass::kUnknown : CommandClass::kData;
  }
  for (uint8_t opcode : kNonDataCdbs) {
    if (opcode == b[0]) return CommandClass::kNonData;
  }
  return CommandClass::kUnknown;
}

// "Read(10) 28 00 ...", "Read(16): 88 ...", "opcode=0x28 28 ...".
void ParseCdbText(absl::string_view s, KmsgContext* out) {
  uint8_t probe;
  for (int skipped = 0; skipped < 2; ++skipped) {
    absl::string_view t = s;
    if (ConsumeHexByte(&t, &probe)) break;
    const size_t sp = s.find(' ');
    if (sp == absl::string_view::npos) return;
    s.remove_prefix(sp);
    SkipBlanks(&s);
  }
  out->kind = ContextKind::kCommand;
  out->command = DecodeCdb(s, &out->lba, &out->blocks);
}

MediaVerdict SenseVerdict(absl::string_view key) {
  if (ConsumeLiteral(&key, "Medium Error") || key.substr(0, 4) == "0x3 " ||
      key == "0x3") {
    return MediaVerdict::kMedium;
  }
  for (absl::string_view m :
       {"Not Ready", "Illegal Request", "Unit Attention", "Data Protect",
        "Aborted Command", "0x2", "0x5", "0x6", "0x7", "0xb"}) {
    if (key.substr(0, m.size()) == m &&
        (key.size() == m.size() || key[m.size()] == ' ')) {
      return MediaVerdict::kNotMedia;
    }
  }
  return MediaVerdict::kUnknown;
}

// What follows "sd H:C:T:L: [dev] [tag#N] " (or a continuation line).
void ParseScsiTail(absl::string_view device, absl::string_view tail,
                   bool continuation, KmsgContext* out) {
  out->device = device;
  if (tail.empty()) {
    if (!continuation) out->kind = ContextKind::kScsiPending;
    return;
  }
  if (ConsumeLiteral(&tail, "CDB:")) {
    SkipBlanks(&tail);
    if (tail.empty()) {
      out->kind = ContextKind::kScsiPending;
      return;
    }
    ParseCdbText(tail, out);
  } else if (ConsumeLiteral(&tail, "Sense Key : ")) {
    out->kind = ContextKind::kScsiSense;
    out->verdict = SenseVerdict(tail);
  } else if (continuation && tail.find("): ") < tail.find(' ')) {
    ParseCdbText(tail, out);  // 3.x "Read(16): 88 00 ..." after "CDB: "
  }
}

bool ParseScsi(absl::string_view s, absl::string_view pending,
               KmsgContext* out) {
  absl::string_view device;
  if (!ConsumeLiteral(&s, "sd ")) {
    if (pending.empty()) return false;
    ParseScsiTail(pending, TrimTrailing(s), /*continuation=*/true, out);
    return out->kind != ContextKind::kNone;
  }
  if (!SkipPast(&s, ": [") || !ConsumeDeviceName(&s, &device) ||
      !ConsumeLiteral(&s, "]")) {
    return false;
  }
  SkipBlanks(&s);
  if (ConsumeLiteral(&s, "tag#")) {
    uint64_t tag;
    if (!ConsumeDecimal(&s, &tag)) return false;
    SkipBlanks(&s);
  }
  ParseScsiTail(device, TrimTrailing(s), /*continuation=*/false, out);
  return true;
}

MediaVerdict NvmeVerdict(uint64_t sct, uint64_t sc) {
  if (sct == 3) return MediaVerdict::kNotMedia;  // path related
  if (sct != 2) return MediaVerdict::kUnknown;
  // Media and data integrity errors, except Access Denied and
  // Deallocated or Unwritten Logical Block.
  return sc == 0x86 || sc == 0x87 ? MediaVerdict::kNotMedia
                                  : MediaVerdict::kMedium;
}

// "nvme0n1: Read(0x2) @ LBA 2048, 8 blocks, ... (sct 0x2 / sc 0x81) DNR".
bool ParseNvme(absl::string_view s, KmsgContext* out) {
  absl::string_view device;
  uint64_t op, lba, blocks, sct, sc;
  if (!ConsumeDeviceName(&s, &device) || !ConsumeLiteral(&s, ": ") ||
      s.substr(0, 40).find("(0x") == absl::string_view::npos ||
      !SkipPast(&s, "(0x") || !ConsumeHex(&s, &op) ||
      !ConsumeLiteral(&s, ") @ LBA ") || !ConsumeDecimal(&s, &lba) ||
      !ConsumeLiteral(&s, ", ") || !ConsumeDecimal(&s, &blocks) ||
      !ConsumeLiteral(&s, " blocks, ")) {
    return false;
  }
  out->kind = ContextKind::kCommand;
  out->device = device;
  out->lba = lba;
  out->blocks = blocks;
  if (op == 0x1 || op == 0x2 || op == 0x5 || op == 0x8) {
    out->command = blocks > 0 ? CommandClass::kData : CommandClass::kUnknown;
  } else if (op == 0x0 || op == 0x4 || op == 0x9) {
    out->command = CommandClass::kNonData;
  }
  if (SkipPast(&s, "(sct ") && ConsumeHex(&s, &sct) &&
      ConsumeLiteral(&s, " / sc ") && ConsumeHex(&s, &sc)) {
    out->verdict = NvmeVerdict(sct, sc);
  }
  return true;
}

// "<func>: N callbacks suppressed".
bool ParseSuppressed(absl::string_view s, KmsgContext* out) {
  static constexpr absl::string_view kTail = " callbacks suppressed";
  s = TrimTrailing(s);
  if (s.size() <= kTail.size() || s.substr(s.size() - kTail.size()) != kTail) {
    return false;
  }
  s.remove_suffix(kTail.size());
  size_t i = s.size();
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') --i;
  absl::string_view digits = s.substr(i);
  uint64_t n;
  if (!ConsumeDecimal(&digits, &n)) return false;
  out->kind = ContextKind::kSuppressed;
  out->suppressed = n;
  return true;
}

// MCE bank status and GHES event severity.
bool ParseHardwareError(absl::string_view s, KmsgContext* out) {
  uint64_t n, status;
  if (ConsumeLiteral(&s, "mce: [Hardware Error]: ")) {
    if (!SkipPast(&s, "Machine Check") || !SkipPast(&s, " Bank ") ||
        !ConsumeDecimal(&s, &n) || !ConsumeLiteral(&s, ": ") ||
        !ConsumeHex(&s, &status)) {
      return false;
    }
    out->kind = ContextKind::kMceStatus;
    out->uncorrected = (status >> 61) & 1;
    return true;
  }
  if (ConsumeLiteral(&s, "{") &&
      (!ConsumeDecimal(&s, &n) || !ConsumeLiteral(&s, "}"))) {
    return false;
  }
  if (!ConsumeLiteral(&s, "[Hardware Error]:")) return false;
  SkipBlanks(&s);
  if (!ConsumeLiteral(&s, "event severity: ")) return false;
  out->kind = ContextKind::kGhesSeverity;
  out->corrected = ConsumeLiteral(&s, "corrected");
  return true;
}

}  // namespace

CommandClass DecodeCdb(absl::string_view hex_bytes, uint64_t* lba,
                       uint64_t* blocks) {
  uint8_t b[kMaxCdbBytes];
  size_t n = 0;
  SkipBlanks(&hex_bytes);
  while (n < kMaxCdbBytes && ConsumeHexByte(&hex_bytes, &b[n])) ++n;
  if (n == 0) return CommandClass::kUnknown;
  *lba = 0;
  *blocks = 0;
  return DecodeBytes(b, n, lba, blocks);
}

KmsgContext ParseKmsgContext(absl::string_view message,
                             absl::string_view pending_scsi_device) {
  KmsgContext out;
  if (message.empty()) return out;
  if (ParseScsi(message, pending_scsi_device, &out)) return out;
  out = KmsgContext();
  if (ParseSuppressed(message, &out)) return out;
  if (ParseHardwareError(message, &out)) return out;
  out = KmsgContext();
  if (ParseNvme(message, &out)) return out;
  return KmsgContext();
}

}  // namespace mfr::agent::sources
