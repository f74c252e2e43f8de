// Implementation of the sysfs attribute parsers.
#include "agent/topology/sysfs_values.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mfr::agent::topology {
namespace {

// Longest text a number may have; rejects absurd input before parsing.
constexpr size_t kMaxNumberText = 64;

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Quoted for error messages, cut short so hostile text stays small.
std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", absl::CEscape(text.substr(0, 32)),
                      text.size() > 32 ? "...\"" : "\"");
}

}  // namespace

absl::string_view TrimSysfsText(absl::string_view text) {
  return absl::StripAsciiWhitespace(text);
}

absl::StatusOr<uint64_t> ParseSysfsUint(absl::string_view text) {
  absl::string_view t = TrimSysfsText(text);
  uint64_t value = 0;
  // SimpleAtoi accepts a leading '+' or '-'; sysfs numbers have neither.
  if (t.size() > kMaxNumberText || !AllDigits(t) ||
      !absl::SimpleAtoi(t, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an unsigned number: ", Quote(text)));
  }
  return value;
}

absl::StatusOr<uint32_t> ParseSysfsUint32(absl::string_view text) {
  absl::StatusOr<uint64_t> value = ParseSysfsUint(text);
  if (!value.ok()) return value.status();
  if (*value > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("does not fit 32 bits: ", Quote(text)));
  }
  return static_cast<uint32_t>(*value);
}

absl::StatusOr<mfr::v1::DeviceNumber> ParseDevNumber(absl::string_view text) {
  absl::string_view t = TrimSysfsText(text);
  size_t colon = t.find(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("not major:minor: ", Quote(text)));
  }
  absl::StatusOr<uint32_t> major = ParseSysfsUint32(t.substr(0, colon));
  absl::StatusOr<uint32_t> minor = ParseSysfsUint32(t.substr(colon + 1));
  if (!major.ok() || !minor.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not major:minor: ", Quote(text)));
  }
  mfr::v1::DeviceNumber dev;
  dev.set_major(*major);
  dev.set_minor(*minor);
  return dev;
}

absl::StatusOr<uint64_t> SectorsToBytes(uint64_t sectors) {
  if (sectors > std::numeric_limits<uint64_t>::max() / kSectorBytes) {
    return absl::OutOfRangeError(
        absl::StrCat(sectors, " sectors overflow a byte count"));
  }
  return sectors * kSectorBytes;
}

absl::StatusOr<int32_t> ParseMdSlot(absl::string_view text) {
  if (TrimSysfsText(text) == "none") return -1;
  absl::StatusOr<uint64_t> slot = ParseSysfsUint(text);
  if (!slot.ok()) return slot.status();
  if (*slot > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return absl::InvalidArgumentError(
        absl::StrCat("md slot out of range: ", Quote(text)));
  }
  return static_cast<int32_t>(*slot);
}

absl::StatusOr<MdGeometryValue> ParseMdGeometryValue(absl::string_view text) {
  absl::string_view t = TrimSysfsText(text);
  MdGeometryValue result;
  size_t space = t.find(' ');
  if (space != absl::string_view::npos) {
    absl::string_view old = TrimSysfsText(t.substr(space + 1));
    if (old.size() < 3 || old.front() != '(' || old.back() != ')' ||
        !ParseSysfsUint(old.substr(1, old.size() - 2)).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("not \"new (old)\": ", Quote(text)));
    }
    result.reshaping = true;
    t = t.substr(0, space);
  }
  absl::StatusOr<uint64_t> value = ParseSysfsUint(t);
  if (!value.ok()) return value.status();
  result.value = *value;
  return result;
}

absl::StatusOr<std::string> PartitionParentName(
    absl::string_view partition_name, uint32_t number) {
  const std::string suffix = absl::StrCat(number);
  absl::string_view disk = partition_name;
  if (number == 0 || !absl::ConsumeSuffix(&disk, suffix) || disk.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quote(partition_name), " is not partition ", number, " of a disk"));
  }
  // "p" separates the number only from a disk name ending in a digit.
  if (disk.size() >= 2 && disk.back() == 'p' &&
      absl::ascii_isdigit(static_cast<unsigned char>(disk[disk.size() - 2]))) {
    disk.remove_suffix(1);
  } else if (absl::ascii_isdigit(static_cast<unsigned char>(disk.back()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quote(partition_name), " is not partition ", number, " of a disk"));
  }
  return std::string(disk);
}

}  // namespace mfr::agent::topology
