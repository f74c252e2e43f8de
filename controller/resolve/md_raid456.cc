#include "controller/resolve/md_raid456.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {
namespace {

// int arithmetic below mirrors raid5_compute_sector; `r` is the stripe
// number modulo the rotation width, so everything stays < raid_disks.
using Place = StripePlacement;

absl::Status Unsupported(MdLevel level, uint32_t algorithm) {
  return absl::UnimplementedError(
      absl::StrCat(level == MdLevel::kRaid6 ? "raid6" : "raid5",
                   " layout (algorithm) ", algorithm, " not supported"));
}

absl::StatusOr<Place> PlaceRaid5(uint32_t algorithm, int rd, uint64_t stripe,
                                 int dd) {
  const int data_disks = rd - 1;
  const int r = static_cast<int>(stripe % rd);
  Place p;
  switch (algorithm) {
    case 0:  // left-asymmetric
      p.pd = data_disks - r;
      if (dd >= p.pd) ++dd;
      break;
    case 1:  // right-asymmetric
      p.pd = r;
      if (dd >= p.pd) ++dd;
      break;
    case 2:  // left-symmetric (md's default)
      p.pd = data_disks - r;
      dd = (p.pd + 1 + dd) % rd;
      break;
    case 3:  // right-symmetric
      p.pd = r;
      dd = (p.pd + 1 + dd) % rd;
      break;
    case 4:  // parity-first
      p.pd = 0;
      ++dd;
      break;
    case 5:  // parity-last
      p.pd = data_disks;
      break;
    default:
      return Unsupported(MdLevel::kRaid5, algorithm);
  }
  p.data = dd;
  return p;
}

// raid6 layouts where P and Q rotate and data restarts after Q
// (left/right-asymmetric and ddf zero/N restart).
Place PlaceRaid6Restart(int rd, int pd, int dd) {
  Place p;
  p.pd = pd;
  p.qd = pd + 1;
  if (pd == rd - 1) {
    ++dd;  // Q wraps to disk 0: data starts at 1
    p.qd = 0;
  } else if (dd >= pd) {
    dd += 2;  // skip P and Q
  }
  p.data = dd;
  return p;
}

// The raid6 "-6" layouts: a raid5 layout over rd - 1 disks, Q on the last.
std::optional<Place> PlaceRaid6Minus6(uint32_t algorithm, int rd,
                                      uint64_t stripe, int dd) {
  const int data_disks = rd - 2;
  const int r = static_cast<int>(stripe % (rd - 1));
  Place p;
  p.qd = rd - 1;
  switch (algorithm) {
    case 16:
    case 17:  // left/right-asymmetric-6
      p.pd = algorithm == 16 ? data_disks - r : r;
      p.data = dd >= p.pd ? dd + 1 : dd;
      return p;
    case 18:
    case 19:  // left/right-symmetric-6
      p.pd = algorithm == 18 ? data_disks - r : r;
      p.data = (p.pd + 1 + dd) % (rd - 1);
      return p;
    case 20:  // parity-first-6
      p.pd = 0;
      p.data = dd + 1;
      return p;
  }
  return std::nullopt;
}

absl::StatusOr<Place> PlaceRaid6(uint32_t algorithm, int rd, uint64_t stripe,
                                 int dd) {
  const int data_disks = rd - 2;
  const int r = static_cast<int>(stripe % rd);
  Place p;
  switch (algorithm) {
    case 0:
    case 9:  // left-asymmetric; ddf-N-restart rotates from stripe+1
      return PlaceRaid6Restart(rd, rd - 1 - (algorithm == 9 ? (r + 1) % rd : r),
                               dd);
    case 1:
    case 8:  // right-asymmetric; ddf-zero-restart
      return PlaceRaid6Restart(rd, r, dd);
    case 2:
    case 3:  // left/right-symmetric
      p.pd = algorithm == 2 ? rd - 1 - r : r;
      p.qd = (p.pd + 1) % rd;
      p.data = (p.pd + 2 + dd) % rd;
      return p;
    case 4:  // parity-first
      return Place{0, 1, dd + 2};
    case 5:  // parity-last
      return Place{data_disks, data_disks + 1, dd};
    case 10:  // ddf-N-continue
      p.pd = rd - 1 - r;
      p.qd = (p.pd + rd - 1) % rd;
      p.data = (p.pd + 1 + dd) % rd;
      return p;
  }
  std::optional<Place> minus6 = PlaceRaid6Minus6(algorithm, rd, stripe, dd);
  if (minus6.has_value()) return *minus6;
  return Unsupported(MdLevel::kRaid6, algorithm);
}

std::string LevelName(MdLevel level) {
  switch (level) {
    case MdLevel::kRaid4:
      return "raid4";
    case MdLevel::kRaid6:
      return "raid6";
    default:
      return "raid5";
  }
}

// The data chunk index k the member in `slot` holds in `stripe`, or -1.
absl::StatusOr<int32_t> DataIndexOf(const MdGeometry& geo, uint64_t stripe,
                                    int32_t slot) {
  for (uint32_t k = 0; k < Raid456DataDisks(geo); ++k) {
    absl::StatusOr<Place> p =
        PlaceRaid456(geo.level, geo.layout, geo.raid_disks, stripe, k);
    if (!p.ok()) return p.status();
    if (p->data == slot) return static_cast<int32_t>(k);
  }
  return -1;
}

ChunkTarget ParityTarget(const MdGeometry& geo, const MdLeg& leg, bool q,
                         bool repairable) {
  ChunkTarget t;
  t.reason = absl::StrCat(geo.name, ": ", LevelName(geo.level), " parity (",
                          q ? "Q" : "P", ") on ", leg.device, " (slot ",
                          leg.slot, "): no array data; ",
                          repairable ? "md rewrites it on check/repair"
                                     : "array degraded: the missing legs' "
                                       "data in this stripe depends on it");
  t.repairable = repairable;
  return t;
}

}  // namespace

uint32_t Raid456DataDisks(const MdGeometry& geo) {
  const uint32_t parity = geo.level == MdLevel::kRaid6 ? 2 : 1;
  return geo.raid_disks > parity ? geo.raid_disks - parity : 0;
}

absl::StatusOr<StripePlacement> PlaceRaid456(MdLevel level, uint32_t algorithm,
                                             uint32_t raid_disks,
                                             uint64_t stripe, uint32_t k) {
  const uint32_t min_disks = level == MdLevel::kRaid6 ? 4 : 2;
  const uint32_t parity = level == MdLevel::kRaid6 ? 2 : 1;
  if (raid_disks < min_disks || raid_disks > (1u << 16)) {
    return absl::InvalidArgumentError(
        absl::StrCat("raid_disks ", raid_disks, " out of range"));
  }
  if (k >= raid_disks - parity) {
    return absl::InvalidArgumentError(absl::StrCat("data index ", k));
  }
  const int rd = static_cast<int>(raid_disks);
  const int dd = static_cast<int>(k);
  switch (level) {
    case MdLevel::kRaid4:
      return Place{rd - 1, -1, dd};
    case MdLevel::kRaid5:
      return PlaceRaid5(algorithm, rd, stripe, dd);
    case MdLevel::kRaid6:
      return PlaceRaid6(algorithm, rd, stripe, dd);
    default:
      return absl::InvalidArgumentError("not a raid4/5/6 level");
  }
}

absl::StatusOr<ChunkTarget> MapRaid456Chunk(const MdGeometry& geo,
                                            const MdLeg& leg, uint64_t stripe) {
  const uint32_t tolerated = geo.level == MdLevel::kRaid6 ? 2 : 1;
  const uint32_t degraded = geo.DegradedSlotsExcept(leg.slot);
  const bool repairable = degraded < tolerated;
  absl::StatusOr<Place> p =
      PlaceRaid456(geo.level, geo.layout, geo.raid_disks, stripe, 0);
  if (!p.ok()) return p.status();
  if (leg.slot == p->pd || leg.slot == p->qd) {
    return ParityTarget(geo, leg, leg.slot == p->qd, repairable);
  }
  absl::StatusOr<int32_t> k = DataIndexOf(geo, stripe, leg.slot);
  if (!k.ok()) return k.status();
  if (*k < 0) {
    return absl::InternalError(absl::StrCat(geo.name, ": slot ", leg.slot,
                                            " not placed in stripe ", stripe));
  }
  // Array chunk = stripe * data_disks + k (raid5_compute_blocknr).
  std::optional<uint64_t> chunk =
      CheckedMulAdd(stripe, Raid456DataDisks(geo), *k);
  std::optional<uint64_t> start =
      chunk ? CheckedMul(*chunk, geo.chunk_bytes) : std::nullopt;
  if (!start.has_value()) return OverflowError(geo.name);
  ChunkTarget t;
  t.data = true;
  t.upper_start = *start;
  t.repairable = repairable;
  t.note = absl::StrCat(
      LevelName(geo.level), " data on ", leg.device, " (slot ", leg.slot,
      "): ", repairable ? "repairable from parity" : "loss", ", ", degraded,
      " other leg(s) degraded of ", tolerated, " tolerated");
  return t;
}

}  // namespace mfr::controller::resolve
