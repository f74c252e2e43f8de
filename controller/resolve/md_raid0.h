// md raid0: where a member's chunk sits in the array.
//
// Follows drivers/md/raid0.c. Each member's usable size is rounded down to
// whole chunks; members of different sizes make "zones" (create_strip_zones):
// zone 0 stripes over every member up to the smallest size, zone 1 over the
// members larger than that, and so on, each member in slot order. Inside a
// zone, array chunk K sits on zone member K % members (original layout,
// md layout 1, K counted from the array start; map_sector) or
// (K - zone start) % members (alternate layout, md layout 2), at chunk row
// (K - zone start) / members past the zone's start row on that member.
//
// Member sizes are not in the topology's MdMember; they are estimated as
// the member device's size minus its data offset. The estimate is used only
// when it adds up to the array size (or the array size is unknown). When
// all members look equal, or nothing is known, a single zone over the array
// size is assumed (what every equal-member array is). Anything else is
// Unimplemented: a proto field with md/dev-*/size would make it exact.
// Units: chunk indexes. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_MD_RAID0_H_
#define MFR_CONTROLLER_RESOLVE_MD_RAID0_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/resolve/layer_mapping.h"
#include "controller/resolve/md_geometry.h"

namespace mfr::controller::resolve {

struct Raid0Zone {
  uint64_t array_start = 0;    // first array chunk of the zone
  uint64_t member_start = 0;   // first chunk row on each member
  uint64_t rows = 0;           // chunk rows per member in this zone
  std::vector<int32_t> slots;  // members of the zone, in slot order
};

struct Raid0Layout {
  std::vector<Raid0Zone> zones;
  bool alternate = false;  // md layout 2 (RAID0_ALT_MULTIZONE_LAYOUT)
};

// Zones for `geo`; Unimplemented when they cannot be known (see above).
absl::StatusOr<Raid0Layout> MakeRaid0Layout(const MdGeometry& geo);

// Chunk rows of array data on the member in `slot`.
uint64_t Raid0MemberRows(const Raid0Layout& layout, int32_t slot);

// Where chunk `row` of `leg` lands (no redundancy: never repairable).
absl::StatusOr<ChunkTarget> MapRaid0Chunk(const MdGeometry& geo,
                                          const Raid0Layout& layout,
                                          const MdLeg& leg, uint64_t row);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_MD_RAID0_H_
