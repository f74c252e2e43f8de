// md raid4/5/6: where a member's chunk sits in the array.
//
// Forward placement follows drivers/md/raid5.c raid5_compute_sector: the
// array is cut into chunks; chunk n is data chunk k = n % data_disks of
// stripe s = n / data_disks, and stripe s occupies chunk row s of every
// member (member byte s * chunk + i, past the data offset). The algorithm
// (md layout) places the parity disk(s) P (and Q for raid6) of stripe s and
// the member holding data chunk k. The reverse (member slot, stripe) is
// found by placing every k of the stripe, which is exactly the inverse of
// the kernel's mapping whatever the algorithm (raid5_compute_blocknr does
// the same per algorithm by hand).
//
// Supported: raid4; raid5 algorithms 0-5 (left/right-(a)symmetric,
// parity-first, parity-last); raid6 algorithms 0-5, 8-10 (ddf) and 16-20
// (the "-6" layouts used while converting raid5 to raid6). Anything else is
// Unimplemented. Units: chunk indexes and bytes. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_MD_RAID456_H_
#define MFR_CONTROLLER_RESOLVE_MD_RAID456_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "controller/resolve/layer_mapping.h"
#include "controller/resolve/md_geometry.h"

namespace mfr::controller::resolve {

struct StripePlacement {
  int32_t pd = -1;    // member slot holding P
  int32_t qd = -1;    // member slot holding Q (raid6), else -1
  int32_t data = -1;  // member slot holding the asked data chunk
};

// Where data chunk `k` (0 <= k < data disks) of `stripe` lives.
// InvalidArgument for too few disks or k out of range; Unimplemented for an
// unsupported algorithm.
absl::StatusOr<StripePlacement> PlaceRaid456(MdLevel level, uint32_t algorithm,
                                             uint32_t raid_disks,
                                             uint64_t stripe, uint32_t k);

// Data chunks per stripe: raid_disks - 1 (raid4/5) or - 2 (raid6).
uint32_t Raid456DataDisks(const MdGeometry& geo);

// Where chunk row `stripe` of the member in `slot` lands: data (with its
// array offset and the verdict: repairable while fewer other slots are
// degraded than the level tolerates) or parity (a StopPiece: no array data;
// md rewrites it from the data on check/repair).
absl::StatusOr<ChunkTarget> MapRaid456Chunk(const MdGeometry& geo,
                                            const MdLeg& leg, uint64_t stripe);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_MD_RAID456_H_
