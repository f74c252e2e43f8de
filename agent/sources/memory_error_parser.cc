// Implementation of the memory-error parser.
#include "agent/sources/memory_error_parser.h"

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

void SetPhysical(KernelErrorParse* out, KernelErrorFormat format,
                 uint64_t offset, uint64_t length, bool exact,
                 absl::string_view what) {
  if (!IsValidRange(offset, length)) {
    SetRejected(out, "physical range overflows");
    return;
  }
  out->outcome = ParseOutcome::kRange;
  KernelError& e = out->error;
  e.format = format;
  e.target = KernelErrorTarget::kPhysicalAddress;
  e.offset_bytes = offset;
  e.length_bytes = length;
  e.length_exact = exact;
  e.kind = mfr::v1::ERROR_KIND_POISON;
  e.what = what;
}

// "0x<pfn>: ..." after "Memory failure: " or "MCE ".
bool ParsePfnLine(absl::string_view s, KernelErrorParse* out) {
  uint64_t pfn, address;
  if (!ConsumeLiteral(&s, "0x") || !ConsumeHex(&s, &pfn) ||
      !ConsumeLiteral(&s, ":")) {
    return false;
  }
  if (!CheckedMul(pfn, kPageBytes, &address)) {
    SetRejected(out, "page frame number overflows");
    return true;
  }
  SetPhysical(out, KernelErrorFormat::kMemoryFailure, address, kPageBytes,
              /*exact=*/true, "memory failure");
  return true;
}

void SetGranule(KernelErrorParse* out, KernelErrorFormat format,
                uint64_t address, absl::string_view what) {
  SetPhysical(out, format, address & ~(kPoisonGranuleBytes - 1),
              kPoisonGranuleBytes, /*exact=*/false, what);
}

// "[Hardware Error]: ... ADDR <hex> ..." (mce) or "physical_address: 0x..".
bool ParseHardwareErrorLine(absl::string_view s, bool mce,
                            KernelErrorParse* out) {
  uint64_t address;
  if (mce) {
    if (!SkipPast(&s, " ADDR ")) return false;
    if (!ConsumeHex(&s, &address)) {
      SetRejected(out, "malformed MCE ADDR");
      return true;
    }
    SetGranule(out, KernelErrorFormat::kMce, address, "machine check");
    return true;
  }
  SkipBlanks(&s);
  if (!ConsumeLiteral(&s, "physical_address: ")) return false;
  if (!ConsumeHex(&s, &address)) {
    SetRejected(out, "malformed GHES physical_address");
    return true;
  }
  SetGranule(out, KernelErrorFormat::kGhes, address, "GHES memory error");
  return true;
}

// Strips "{N}" before "[Hardware Error]: ".
bool ConsumeHardwareErrorPrefix(absl::string_view* s) {
  absl::string_view t = *s;
  uint64_t n;
  if (ConsumeLiteral(&t, "{")) {
    if (!ConsumeDecimal(&t, &n) || !ConsumeLiteral(&t, "}")) return false;
  }
  if (!ConsumeLiteral(&t, "[Hardware Error]:")) return false;
  *s = t;
  return true;
}

}  // namespace

bool ParseMemoryError(absl::string_view message, KernelErrorParse* out) {
  absl::string_view s = message;
  if (ConsumeLiteral(&s, "Memory failure: ") || ConsumeLiteral(&s, "MCE ")) {
    return ParsePfnLine(s, out);
  }
  if (ConsumeLiteral(&s, "mce: ") && ConsumeHardwareErrorPrefix(&s)) {
    return ParseHardwareErrorLine(s, /*mce=*/true, out);
  }
  s = message;
  ConsumeLiteral(&s, "ghes: ");
  if (ConsumeHardwareErrorPrefix(&s)) {
    return ParseHardwareErrorLine(s, /*mce=*/false, out);
  }
  return false;
}

}  // namespace mfr::agent::sources
