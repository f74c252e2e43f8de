#include "controller/resolve/md_raid0.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {
namespace {

// Estimated usable chunk rows per slot; nullopt where unknown.
std::vector<std::optional<uint64_t>> EstimatedRows(const MdGeometry& geo) {
  std::vector<std::optional<uint64_t>> rows(geo.raid_disks);
  for (const MdLeg& leg : geo.legs) {
    if (leg.slot < 0 || leg.slot >= static_cast<int32_t>(geo.raid_disks) ||
        leg.device_size_bytes <= leg.data_offset_bytes) {
      continue;
    }
    rows[leg.slot] =
        (leg.device_size_bytes - leg.data_offset_bytes) / geo.chunk_bytes;
  }
  return rows;
}

// create_strip_zones over known member rows.
absl::StatusOr<Raid0Layout> ZonesFromRows(const MdGeometry& geo,
                                          const std::vector<uint64_t>& rows) {
  Raid0Layout layout;
  const std::set<uint64_t> sizes(rows.begin(), rows.end());
  uint64_t previous = 0;
  uint64_t array_start = 0;
  for (uint64_t size : sizes) {
    if (size == 0) continue;
    Raid0Zone zone{array_start, previous, size - previous, {}};
    for (size_t slot = 0; slot < rows.size(); ++slot) {
      if (rows[slot] > previous) zone.slots.push_back(slot);
    }
    std::optional<uint64_t> next =
        CheckedMulAdd(zone.rows, zone.slots.size(), array_start);
    if (!next.has_value()) return OverflowError(geo.name);
    array_start = *next;
    previous = size;
    layout.zones.push_back(std::move(zone));
  }
  return layout;
}

absl::StatusOr<Raid0Layout> SingleZone(const MdGeometry& geo) {
  const uint64_t stripe_bytes = uint64_t{geo.raid_disks} * geo.chunk_bytes;
  if (geo.array_bytes == 0 || geo.array_bytes % stripe_bytes != 0) {
    return absl::UnimplementedError(
        absl::StrCat(geo.name, ": raid0 member sizes unknown and array size ",
                     geo.array_bytes, " not whole stripes"));
  }
  Raid0Zone zone{0, 0, geo.array_bytes / stripe_bytes, {}};
  for (uint32_t slot = 0; slot < geo.raid_disks; ++slot) {
    zone.slots.push_back(slot);
  }
  return Raid0Layout{{std::move(zone)}, false};
}

}  // namespace

absl::StatusOr<Raid0Layout> MakeRaid0Layout(const MdGeometry& geo) {
  if (geo.chunk_bytes == 0 || geo.raid_disks == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(geo.name, ": raid0 without chunk size or members"));
  }
  std::vector<std::optional<uint64_t>> estimated = EstimatedRows(geo);
  std::vector<uint64_t> rows;
  for (const auto& r : estimated) {
    if (r.has_value()) rows.push_back(*r);
  }
  if (rows.size() == estimated.size()) {
    absl::StatusOr<Raid0Layout> zones = ZonesFromRows(geo, rows);
    if (!zones.ok() || zones->zones.empty()) return zones;
    const Raid0Zone& last = zones->zones.back();
    const uint64_t total = last.array_start + last.rows * last.slots.size();
    if (geo.array_bytes == 0 ||
        CheckedMul(total, geo.chunk_bytes) == geo.array_bytes) {
      zones->alternate = geo.layout == 2;
      if (zones->zones.size() > 1 && geo.layout != 1 && geo.layout != 2) {
        return absl::UnimplementedError(absl::StrCat(
            geo.name, ": multi-zone raid0 with layout ", geo.layout));
      }
      return zones;
    }
  }
  const bool equal = std::set<uint64_t>(rows.begin(), rows.end()).size() <= 1;
  if (!equal) {
    return absl::UnimplementedError(
        absl::StrCat(geo.name,
                     ": raid0 member sizes unknown (estimates do not add up "
                     "to the array size); zones cannot be placed"));
  }
  return SingleZone(geo);
}

uint64_t Raid0MemberRows(const Raid0Layout& layout, int32_t slot) {
  uint64_t rows = 0;
  for (const Raid0Zone& zone : layout.zones) {
    if (std::count(zone.slots.begin(), zone.slots.end(), slot) > 0) {
      rows += zone.rows;
    }
  }
  return rows;
}

absl::StatusOr<ChunkTarget> MapRaid0Chunk(const MdGeometry& geo,
                                          const Raid0Layout& layout,
                                          const MdLeg& leg, uint64_t row) {
  for (const Raid0Zone& zone : layout.zones) {
    if (row < zone.member_start || row - zone.member_start >= zone.rows) {
      continue;
    }
    auto it = std::find(zone.slots.begin(), zone.slots.end(), leg.slot);
    if (it == zone.slots.end()) break;
    const uint64_t n = zone.slots.size();
    const uint64_t p = it - zone.slots.begin();
    // Original layout: chunk K is on member K % n with K counted from the
    // array start, so the column is (p - zone start) mod n.
    const uint64_t column =
        layout.alternate ? p : (p + n - zone.array_start % n) % n;
    std::optional<uint64_t> k =
        CheckedMulAdd(row - zone.member_start, n, zone.array_start + column);
    std::optional<uint64_t> start =
        k ? CheckedMul(*k, geo.chunk_bytes) : std::nullopt;
    if (!start.has_value()) return OverflowError(geo.name);
    return ChunkTarget{true, *start,
                       absl::StrCat("raid0 chunk on ", leg.device, " (slot ",
                                    leg.slot, "): no redundancy, loss"),
                       "", false};
  }
  ChunkTarget stop;
  stop.reason = absl::StrCat(geo.name, ": past the raid0 data of ", leg.device);
  return stop;
}

}  // namespace mfr::controller::resolve
