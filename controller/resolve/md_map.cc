#include "controller/resolve/md_map.h"

#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"
#include "controller/resolve/md_raid0.h"
#include "controller/resolve/md_raid10.h"
#include "controller/resolve/md_raid456.h"

namespace mfr::controller::resolve {
namespace {

constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

using ChunkMapper = std::function<absl::StatusOr<ChunkTarget>(uint64_t)>;

// What the level makes of one leg's data area.
struct LegPlan {
  uint64_t data_bytes = kUnbounded;  // length of the data area
  ChunkMapper chunk;                 // empty: raid1, member byte = array byte
  std::string note;                  // raid1 only
  bool repairable = false;           // raid1 only
};

absl::StatusOr<LegPlan> PlanRaid1(const MdGeometry& geo, const MdLeg& leg) {
  LegPlan plan;
  if (geo.array_bytes > 0) {
    plan.data_bytes = geo.array_bytes;
  } else if (leg.device_size_bytes > leg.data_offset_bytes) {
    plan.data_bytes = leg.device_size_bytes - leg.data_offset_bytes;
  }
  const uint32_t left = geo.raid_disks - 1 - geo.DegradedSlotsExcept(leg.slot);
  plan.repairable = left > 0;
  plan.note = absl::StrCat("raid1 leg ", leg.device, " (slot ", leg.slot,
                           "): ", plan.repairable ? "repairable" : "loss", ", ",
                           left, " of ", geo.raid_disks, " in_sync legs left");
  return plan;
}

absl::StatusOr<LegPlan> PlanRaid0(const MdGeometry& geo, const MdLeg& leg) {
  absl::StatusOr<Raid0Layout> layout = MakeRaid0Layout(geo);
  if (!layout.ok()) return layout.status();
  LegPlan plan;
  plan.data_bytes = Raid0MemberRows(*layout, leg.slot) * geo.chunk_bytes;
  plan.chunk = [&geo, &leg, l = *std::move(layout)](uint64_t row) {
    return MapRaid0Chunk(geo, l, leg, row);
  };
  return plan;
}

absl::StatusOr<LegPlan> PlanRaid10(const MdGeometry& geo, const MdLeg& leg) {
  absl::StatusOr<Raid10Layout> layout = MakeRaid10Layout(geo);
  if (!layout.ok()) return layout.status();
  LegPlan plan;
  plan.data_bytes = layout->member_chunks * geo.chunk_bytes;
  plan.chunk = [&geo, &leg, l = *layout](uint64_t row) {
    return MapRaid10Chunk(geo, l, leg, row);
  };
  return plan;
}

// Member data bytes: the array's share per data disk, else the smallest
// member, in whole chunks.
uint64_t Raid456DataBytes(const MdGeometry& geo) {
  const uint64_t c = geo.chunk_bytes;
  const uint32_t data_disks = Raid456DataDisks(geo);
  if (geo.array_bytes > 0 && data_disks > 0) {
    return geo.array_bytes / data_disks / c * c;
  }
  uint64_t smallest = kUnbounded;
  for (const MdLeg& l : geo.legs) {
    if (l.slot >= 0 && l.device_size_bytes > l.data_offset_bytes) {
      smallest = std::min(smallest,
                          (l.device_size_bytes - l.data_offset_bytes) / c * c);
    }
  }
  return smallest;
}

absl::StatusOr<LegPlan> PlanRaid456(const MdGeometry& geo, const MdLeg& leg) {
  if (geo.chunk_bytes == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(geo.name, ": ", geo.level_text, " chunk size 0"));
  }
  // Validates disks and algorithm once, before any chunk is walked.
  absl::StatusOr<StripePlacement> probe =
      PlaceRaid456(geo.level, geo.layout, geo.raid_disks, 0, 0);
  if (!probe.ok()) {
    return absl::Status(probe.status().code(),
                        absl::StrCat(geo.name, ": ", probe.status().message()));
  }
  LegPlan plan;
  plan.data_bytes = Raid456DataBytes(geo);
  plan.chunk = [&geo, &leg](uint64_t stripe) {
    return MapRaid456Chunk(geo, leg, stripe);
  };
  return plan;
}

absl::StatusOr<LegPlan> PlanLeg(const MdGeometry& geo, const MdLeg& leg) {
  switch (geo.level) {
    case MdLevel::kRaid1:
      return PlanRaid1(geo, leg);
    case MdLevel::kRaid0:
      return PlanRaid0(geo, leg);
    case MdLevel::kRaid10:
      return PlanRaid10(geo, leg);
    case MdLevel::kRaid4:
    case MdLevel::kRaid5:
    case MdLevel::kRaid6:
      return PlanRaid456(geo, leg);
    case MdLevel::kUnsupported:
      break;
  }
  return absl::UnimplementedError(absl::StrCat(
      geo.name, ": md level '", geo.level_text, "' not translated"));
}

void StopPart(const ByteSpan& range, const ByteSpan& area,
              const std::string& reason, LayerMapping* out) {
  if (area.length == 0) return;
  std::optional<ByteSpan> hit = Intersect(range, area);
  if (hit.has_value()) AppendStop({*hit, reason, false}, out);
}

absl::Status MapDataArea(const MdGeometry& geo, const LegPlan& plan,
                         const MdLeg& leg, const ByteSpan& range,
                         LayerMapping* out) {
  const uint64_t start = leg.data_offset_bytes;
  const uint64_t length = std::min(plan.data_bytes, kUnbounded - start);
  std::optional<ByteSpan> hit = Intersect(range, ByteSpan{start, length});
  if (!hit.has_value()) return absl::OkStatus();
  const ByteSpan rel{hit->offset - start, hit->length};
  if (!plan.chunk) {
    AppendUp({geo.name, *hit, rel, plan.note, plan.repairable}, out);
    return absl::OkStatus();
  }
  return WalkChunks(rel, start, geo.chunk_bytes, geo.name, plan.chunk, out);
}

}  // namespace

absl::StatusOr<LayerMapping> MapMemberToMd(const MdGeometry& geo,
                                           absl::string_view member,
                                           const ByteSpan& range) {
  absl::Status status = ValidateSpan(range, "md member range");
  if (!status.ok()) return status;
  const MdLeg* leg = geo.Leg(member);
  if (leg == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(member, " is not a member of ", geo.name));
  }
  LayerMapping out;
  if (leg->slot < 0 || leg->slot >= static_cast<int32_t>(geo.raid_disks)) {
    AppendStop({range,
                absl::StrCat(geo.name, ": ", member,
                             " is a spare or failed leg (state '", leg->state,
                             "'): holds no array data"),
                false},
               &out);
    return out;
  }
  absl::StatusOr<LegPlan> plan = PlanLeg(geo, *leg);
  if (!plan.ok()) return plan.status();
  StopPart(range, ByteSpan{0, leg->data_offset_bytes},
           absl::StrCat(geo.name, ": md metadata area of ", member,
                        " before data offset ", leg->data_offset_bytes),
           &out);
  status = MapDataArea(geo, *plan, *leg, range, &out);
  if (!status.ok()) return status;
  std::optional<uint64_t> end =
      CheckedAdd(leg->data_offset_bytes, plan->data_bytes);
  if (end.has_value()) {
    StopPart(range, ByteSpan{*end, kUnbounded - *end},
             absl::StrCat(geo.name, ": past the data area of ", member), &out);
  }
  return out;
}

}  // namespace mfr::controller::resolve
