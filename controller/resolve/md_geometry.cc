#include "controller/resolve/md_geometry.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mfr::controller::resolve {
namespace {

// mdadm's names for the raid5/6 algorithms of drivers/md/raid5.h.
const std::map<std::string, uint32_t>& Raid5Names() {
  static const auto* names = new std::map<std::string, uint32_t>{
      {"left-asymmetric", 0},     {"la", 0},
      {"right-asymmetric", 1},    {"ra", 1},
      {"left-symmetric", 2},      {"ls", 2},
      {"right-symmetric", 3},     {"rs", 3},
      {"parity-first", 4},        {"parity-last", 5},
      {"ddf-zero-restart", 8},    {"ddf-n-restart", 9},
      {"ddf-n-continue", 10},     {"left-asymmetric-6", 16},
      {"right-asymmetric-6", 17}, {"left-symmetric-6", 18},
      {"right-symmetric-6", 19},  {"parity-first-6", 20},
  };
  return *names;
}

// "n2" -> near 2, "f2" -> far 2, "o2" -> offset 2 (mdadm's raid10 names).
absl::StatusOr<uint32_t> ParseRaid10Name(absl::string_view text) {
  uint32_t copies = 0;
  if (text.size() < 2 || !absl::SimpleAtoi(text.substr(1), &copies) ||
      copies == 0 || copies > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad raid10 layout '", text, "'"));
  }
  switch (text[0]) {
    case 'n':
      return (1u << 8) | copies;
    case 'f':
      return (copies << 8) | 1u;
    case 'o':
      return (1u << 16) | (copies << 8) | 1u;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("bad raid10 layout '", text, "'"));
}

absl::StatusOr<uint32_t> ParseLayoutName(MdLevel level,
                                         const std::string& name) {
  if (level == MdLevel::kRaid10) return ParseRaid10Name(name);
  if (level == MdLevel::kRaid4 || level == MdLevel::kRaid5 ||
      level == MdLevel::kRaid6) {
    auto it = Raid5Names().find(name);
    if (it != Raid5Names().end()) return it->second;
  }
  if (level == MdLevel::kRaid0 && name == "original") return 1u;
  if (level == MdLevel::kRaid0 && name == "alternate") return 2u;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown md layout '", name, "'"));
}

bool InSync(absl::string_view state) {
  bool in_sync = false;
  for (absl::string_view token : absl::StrSplit(state, ',')) {
    token = absl::StripAsciiWhitespace(token);
    if (token == "faulty") return false;
    if (token == "in_sync") in_sync = true;
  }
  return in_sync;
}

}  // namespace

const MdLeg* MdGeometry::Leg(absl::string_view device) const {
  for (const MdLeg& leg : legs) {
    if (leg.device == device) return &leg;
  }
  return nullptr;
}

bool MdGeometry::SlotInSync(int32_t slot) const {
  for (const MdLeg& leg : legs) {
    if (leg.slot == slot && leg.in_sync) return true;
  }
  return false;
}

uint32_t MdGeometry::DegradedSlotsExcept(int32_t slot) const {
  uint32_t degraded = 0;
  for (uint32_t s = 0; s < raid_disks; ++s) {
    if (static_cast<int32_t>(s) != slot && !SlotInSync(s)) ++degraded;
  }
  return degraded;
}

MdLevel ParseMdLevel(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::StartsWith(text, "raid")) text.remove_prefix(4);
  if (text == "0") return MdLevel::kRaid0;
  if (text == "1") return MdLevel::kRaid1;
  if (text == "4") return MdLevel::kRaid4;
  if (text == "5") return MdLevel::kRaid5;
  if (text == "6") return MdLevel::kRaid6;
  if (text == "10") return MdLevel::kRaid10;
  return MdLevel::kUnsupported;
}

absl::StatusOr<uint32_t> ParseMdLayout(MdLevel level, absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (t.empty()) {
    if (level == MdLevel::kRaid10) {
      return absl::InvalidArgumentError("raid10 layout unknown");
    }
    // raid4/5/6: ALGORITHM_LEFT_SYMMETRIC, md's default; others ignore it.
    bool parity = level == MdLevel::kRaid4 || level == MdLevel::kRaid5 ||
                  level == MdLevel::kRaid6;
    return parity ? 2u : 0u;
  }
  uint32_t value = 0;
  if (absl::SimpleAtoi(t, &value)) return value;
  return ParseLayoutName(level, t);
}

absl::StatusOr<MdGeometry> ParseMdGeometry(const mfr::v1::BlockDevice& device) {
  const mfr::v1::MdArray& md = device.md();
  MdGeometry g;
  g.name = device.name();
  g.level_text = md.level();
  g.level = ParseMdLevel(md.level());
  g.chunk_bytes = md.chunk_size_bytes();
  g.raid_disks = md.raid_disks();
  g.array_bytes = device.size_bytes();
  const std::string what = absl::StrCat(device.name(), " (", md.level(), ")");
  if (g.chunk_bytes % 512 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": chunk size not a multiple of 512"));
  }
  if (g.level != MdLevel::kUnsupported && g.raid_disks == 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": raid_disks 0"));
  }
  absl::StatusOr<uint32_t> layout = ParseMdLayout(g.level, md.layout());
  if (!layout.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", layout.status().message()));
  }
  g.layout = *layout;
  for (const mfr::v1::MdMember& m : md.members()) {
    g.legs.push_back({m.device(), m.slot(), m.data_offset_bytes(),
                      InSync(m.state()), m.state(), 0});
  }
  return g;
}

}  // namespace mfr::controller::resolve
