// Implementation of the md read-error parser.
#include "agent/sources/md_error_parser.h"

#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

using mfr::v1::ErrorKind;

// "N sectors at S on D)" (raid1/10/5 corrected-style lines).
bool ParseCounted(absl::string_view s, uint64_t* count, uint64_t* sector,
                  absl::string_view* device) {
  return ConsumeDecimal(&s, count) && ConsumeLiteral(&s, " sectors at ") &&
         ConsumeDecimal(&s, sector) && ConsumeLiteral(&s, " on ") &&
         ConsumeDeviceName(&s, device) && ConsumeLiteral(&s, ")");
}

// "S on D)" (raid5 "(sector S on D).").
bool ParseSectorOn(absl::string_view s, uint64_t* sector,
                   absl::string_view* device) {
  return ConsumeDecimal(&s, sector) && ConsumeLiteral(&s, " on ") &&
         ConsumeDeviceName(&s, device) && ConsumeLiteral(&s, ")");
}

void Describe(KernelErrorParse* out, absl::string_view array,
              absl::string_view member, ErrorKind kind, absl::string_view what,
              bool corrected) {
  if (out->outcome != ParseOutcome::kRange) return;
  KernelError& e = out->error;
  e.md_array.assign(array.data(), array.size());
  e.md_member.assign(member.data(), member.size());
  e.kind = kind;
  e.what = what;
  e.corrected = corrected;
}

// The member-range line forms, after "md/raid*:ARRAY: ".
struct Form {
  absl::string_view lead;
  bool counted;
  ErrorKind kind;
  absl::string_view what;
  bool corrected;
};
constexpr Form kForms[] = {
    {"read error corrected (", true, mfr::v1::ERROR_KIND_MEDIUM,
     "md read error corrected", true},
    {"unable to read back corrected sectors (", true,
     mfr::v1::ERROR_KIND_MEDIUM, "md read-back of corrected sectors failed",
     false},
    {"read correction write failed (", true, mfr::v1::ERROR_KIND_MEDIUM,
     "md read correction write failed", false},
    {"read error not correctable (sector ", false,
     mfr::v1::ERROR_KIND_MD_UNCORRECTABLE, "md read error not correctable",
     false},
    {"read error NOT corrected!! (sector ", false, mfr::v1::ERROR_KIND_MEDIUM,
     "md read error not corrected on member", false},
    {"read error on replacement device (sector ", false,
     mfr::v1::ERROR_KIND_MEDIUM, "md read error on replacement device", false},
};

// Lines that give a range on a member: "(N sectors at S on D)" and
// "(sector S on D).".
bool ParseMemberLine(absl::string_view array, absl::string_view s,
                     KernelErrorParse* out) {
  for (const Form& f : kForms) {
    absl::string_view t = s;
    if (!ConsumeLiteral(&t, f.lead)) continue;
    uint64_t count = 0, sector = 0;
    absl::string_view member;
    const bool ok = f.counted ? ParseCounted(t, &count, &sector, &member)
                              : ParseSectorOn(t, &sector, &member);
    if (!ok) {
      SetRejected(out, "malformed md read-error line");
      return true;
    }
    uint64_t length = kMdStripePageBytes;
    if (f.counted && !CheckedMul(count, kSectorBytes, &length)) length = 0;
    SetDeviceRangeInUnits(out, KernelErrorFormat::kMd, member, sector,
                          kSectorBytes, length, /*exact=*/f.counted);
    Describe(out, array, member, f.kind, f.what, f.corrected);
    return true;
  }
  return false;
}

// Lines that give an ARRAY sector: raid1/10 unrecoverable and redirecting.
bool ParseArrayLine(absl::string_view array, absl::string_view s,
                    const KernelErrorParserOptions& o, KernelErrorParse* out) {
  absl::string_view member, tail = s;
  uint64_t sector;
  bool corrected;
  if (ConsumeLiteral(&tail, "redirecting sector ")) {  // raid1
    if (!ConsumeDecimal(&tail, &sector) || !SkipPast(&tail, "mirror: ") ||
        !ConsumeDeviceName(&tail, &member)) {
      SetRejected(out, "malformed md redirect line");
      return true;
    }
    corrected = true;
  } else if (ConsumeDeviceName(&tail, &member) && ConsumeLiteral(&tail, ": ")) {
    if (ConsumeLiteral(&tail, "unrecoverable I/O read error for block ")) {
      corrected = false;
    } else if (ConsumeLiteral(&tail, "redirecting sector ")) {  // raid10
      corrected = true;
    } else {
      return false;
    }
    if (!ConsumeDecimal(&tail, &sector)) {
      SetRejected(out, "malformed md read-error line");
      return true;
    }
  } else {
    return false;
  }
  SetDeviceRangeInUnits(out, KernelErrorFormat::kMd, array, sector,
                        kSectorBytes, LogicalBlockBytes(o, array),
                        /*exact=*/false);
  Describe(out, array, member,
           corrected ? mfr::v1::ERROR_KIND_MEDIUM
                     : mfr::v1::ERROR_KIND_MD_UNCORRECTABLE,
           corrected ? "md read redirected to another mirror"
                     : "md unrecoverable read error",
           corrected);
  return true;
}

// 2.6: "raid1: hda: unrecoverable I/O read error for block N" (no array).
bool ParseArraylessLine(absl::string_view s, KernelErrorParse* out) {
  if (FindText(s, "unrecoverable I/O read error") == absl::string_view::npos &&
      FindText(s, "redirecting sector") == absl::string_view::npos) {
    return false;
  }
  SetIgnored(out, "md line names no array");
  return true;
}

}  // namespace

bool ParseMdError(absl::string_view message,
                  const KernelErrorParserOptions& options,
                  KernelErrorParse* out) {
  absl::string_view s = message;
  if (!ConsumeLiteral(&s, "md/raid10:") && !ConsumeLiteral(&s, "md/raid1:") &&
      !ConsumeLiteral(&s, "md/raid:") && !ConsumeLiteral(&s, "raid10:") &&
      !ConsumeLiteral(&s, "raid1:") && !ConsumeLiteral(&s, "raid5:")) {
    return false;
  }
  if (ConsumeLiteral(&s, " ")) return ParseArraylessLine(s, out);
  absl::string_view array;
  if (!ConsumeDeviceName(&s, &array) || !ConsumeLiteral(&s, ": ")) {
    return false;
  }
  return ParseMemberLine(array, s, out) ||
         ParseArrayLine(array, s, options, out);
}

}  // namespace mfr::agent::sources
