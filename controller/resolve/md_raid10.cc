#include "controller/resolve/md_raid10.h"

#include <algorithm>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {
namespace {

using u128 = unsigned __int128;

// setup_geo: which members form a far set.
absl::StatusOr<int32_t> FarSetSize(uint32_t kind, int32_t rd, int32_t near,
                                   int32_t far) {
  switch (kind) {
    case 0:
      return rd;  // original layout
    case 1:
      if (rd / far < 1) break;
      return rd / far;  // "improved" layout that was buggy
    case 2:
      return far * near;  // improved layout, fixed
  }
  return absl::InvalidArgumentError(
      absl::StrCat("raid10 far-set layout ", kind, " not supported"));
}

// Array data chunks: from the array size, else calc_sectors' formula over
// the smallest member.
absl::StatusOr<uint64_t> ArrayChunks(const MdGeometry& geo,
                                     const Raid10Layout& l) {
  if (geo.array_bytes > 0) return geo.array_bytes / geo.chunk_bytes;
  uint64_t smallest = std::numeric_limits<uint64_t>::max();
  for (const MdLeg& leg : geo.legs) {
    if (leg.slot < 0 || leg.device_size_bytes <= leg.data_offset_bytes) {
      continue;
    }
    smallest =
        std::min(smallest, leg.device_size_bytes - leg.data_offset_bytes);
  }
  if (smallest == std::numeric_limits<uint64_t>::max()) {
    return absl::UnimplementedError(
        absl::StrCat(geo.name, ": raid10 data size unknown"));
  }
  const u128 rows = smallest / geo.chunk_bytes / l.far;
  return static_cast<uint64_t>(rows * l.raid_disks / l.near);
}

absl::Status CheckLayout(const MdGeometry& geo, const Raid10Layout& l) {
  if (l.near < 1 || l.far < 1 || l.near * l.far > l.raid_disks) {
    return absl::InvalidArgumentError(absl::StrCat(geo.name, ": raid10 layout ",
                                                   geo.layout, " does not fit ",
                                                   l.raid_disks, " disks"));
  }
  const uint64_t c = geo.chunk_bytes;
  if (c == 0 || (c & (c - 1)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(geo.name, ": raid10 chunk not a power of two"));
  }
  return absl::OkStatus();
}

// Moves `d` one far copy on (the inner loop of __raid10_find_phys).
int32_t NextFarDevice(const Raid10Layout& l, int32_t d) {
  const int32_t fss = l.far_set_size;
  const int32_t last_start = (l.raid_disks / fss - 1) * fss;
  const int32_t last_size = fss + l.raid_disks % fss;
  const int32_t set = d / fss;
  d += l.near;
  if ((l.raid_disks % fss) != 0 && d > last_start) {
    return (d - last_start) % last_size + last_start;
  }
  return d % fss + fss * set;
}

}  // namespace

absl::StatusOr<Raid10Layout> MakeRaid10Layout(const MdGeometry& geo) {
  Raid10Layout l;
  l.raid_disks =
      static_cast<int32_t>(std::min<uint32_t>(geo.raid_disks, 1u << 16));
  l.near = static_cast<int32_t>(geo.layout & 0xff);
  l.far = static_cast<int32_t>((geo.layout >> 8) & 0xff);
  l.offset = (geo.layout & (1u << 16)) != 0;
  absl::Status status = CheckLayout(geo, l);
  if (!status.ok()) return status;
  absl::StatusOr<int32_t> fss =
      FarSetSize(geo.layout >> 17, l.raid_disks, l.near, l.far);
  if (!fss.ok()) return fss.status();
  l.far_set_size = *fss;
  absl::StatusOr<uint64_t> chunks = ArrayChunks(geo, l);
  if (!chunks.ok()) return chunks.status();
  l.array_chunks = *chunks;
  // calc_sectors: rows per member = ceil(array chunks * copies / disks).
  const u128 copies = u128{l.array_chunks} * l.near * l.far;
  const u128 rows = (copies + l.raid_disks - 1) / l.raid_disks;
  if (rows > std::numeric_limits<uint64_t>::max() / geo.chunk_bytes) {
    return OverflowError(geo.name);
  }
  l.member_chunks = static_cast<uint64_t>(rows);
  l.stride = l.offset ? 1 : l.member_chunks / l.far;
  return l;
}

std::vector<Raid10Copy> Raid10Copies(const Raid10Layout& l, uint64_t vchunk) {
  std::vector<Raid10Copy> copies;
  const u128 chunk = u128{vchunk} * l.near;
  u128 row = chunk / l.raid_disks;
  int32_t dev = static_cast<int32_t>(chunk % l.raid_disks);
  if (l.offset) row *= l.far;
  for (int32_t n = 0; n < l.near; ++n) {
    int32_t d = dev;
    u128 r = row;
    copies.push_back({d, static_cast<uint64_t>(r)});
    for (int32_t f = 1; f < l.far; ++f) {
      d = NextFarDevice(l, d);
      r += l.stride;
      copies.push_back({d, static_cast<uint64_t>(r)});
    }
    if (++dev >= l.raid_disks) {
      dev = 0;
      ++row;
    }
  }
  return copies;
}

std::optional<uint64_t> Raid10ArrayChunk(const Raid10Layout& l, int32_t slot,
                                         uint64_t row) {
  if (slot < 0 || slot >= l.raid_disks || row >= l.member_chunks) {
    return std::nullopt;
  }
  int32_t set_start = (slot / l.far_set_size) * l.far_set_size;
  int32_t set_size = l.far_set_size;
  if (l.raid_disks % l.far_set_size != 0) {
    const int32_t last_start =
        (l.raid_disks / l.far_set_size - 1) * l.far_set_size;
    if (slot >= last_start) {
      set_size = l.far_set_size + l.raid_disks % l.far_set_size;
      set_start = last_start;
    }
  }
  int64_t dev = slot;
  uint64_t chunk = row;
  if (l.offset) {
    chunk = row / l.far;
    dev -= static_cast<int64_t>(row % l.far) * l.near;
    if (dev < set_start) dev += set_size;
  } else {
    if (l.stride == 0 || row / l.stride >= static_cast<uint64_t>(l.far)) {
      return std::nullopt;  // past the last far copy
    }
    for (uint64_t f = row / l.stride; f > 0; --f) {
      dev += dev < l.near + set_start ? set_size - l.near : -l.near;
    }
    chunk = row % l.stride;
  }
  const u128 vchunk = (u128{chunk} * l.raid_disks + dev) / l.near;
  if (vchunk >= l.array_chunks) return std::nullopt;  // unused tail
  return static_cast<uint64_t>(vchunk);
}

absl::StatusOr<ChunkTarget> MapRaid10Chunk(const MdGeometry& geo,
                                           const Raid10Layout& layout,
                                           const MdLeg& leg, uint64_t row) {
  ChunkTarget t;
  std::optional<uint64_t> vchunk = Raid10ArrayChunk(layout, leg.slot, row);
  if (!vchunk.has_value()) {
    t.reason = absl::StrCat(geo.name, ": raid10 area of ", leg.device,
                            " that holds no array data");
    return t;
  }
  std::set<int32_t> others;
  for (const Raid10Copy& c : Raid10Copies(layout, *vchunk)) {
    if (c.slot != leg.slot && geo.SlotInSync(c.slot)) others.insert(c.slot);
  }
  std::optional<uint64_t> start = CheckedMul(*vchunk, geo.chunk_bytes);
  if (!start.has_value()) return OverflowError(geo.name);
  t.data = true;
  t.upper_start = *start;
  t.repairable = !others.empty();
  t.note = absl::StrCat("raid10 copy on ", leg.device, " (slot ", leg.slot,
                        "): ", t.repairable ? "repairable, " : "loss, ",
                        others.size(), " other in_sync copies");
  return t;
}

}  // namespace mfr::controller::resolve
