// md raid10: where a member's chunk sits in the array, and where the other
// copies of that array chunk live (for the verdict).
//
// Follows drivers/md/raid10.c: setup_geo (layout bits), calc_sectors (the
// per-member data size and the far "stride"), __raid10_find_phys (array
// chunk -> every copy's member and chunk row) and raid10_find_virt (member
// chunk row -> array chunk). Near copies lay each array chunk on
// `near` consecutive members, raid0-style; far copies repeat the whole
// array `far` times further down each member, shifted by `near` members
// (within far sets); the "offset" layout repeats each row in the next row.
//
// Supported: any near/far/offset combination md accepts (near * far <=
// raid_disks) with far sets of the original (layout >> 17 == 0), the buggy
// (1) and the fixed (2) kind. The per-member data size comes from the array
// size (MdGeometry::array_bytes) as calc_sectors derives it; without it,
// from the smallest member. Chunk sizes must be powers of two (md requires
// it). Units: chunk indexes. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_MD_RAID10_H_
#define MFR_CONTROLLER_RESOLVE_MD_RAID10_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/resolve/layer_mapping.h"
#include "controller/resolve/md_geometry.h"

namespace mfr::controller::resolve {

struct Raid10Layout {
  int32_t raid_disks = 0;
  int32_t near = 1;
  int32_t far = 1;
  bool offset = false;  // "o" layout: far copies in the next rows
  int32_t far_set_size = 0;
  uint64_t array_chunks = 0;   // chunks of array data
  uint64_t member_chunks = 0;  // chunk rows used on each member
  uint64_t stride = 0;         // chunk rows between far copies
};

// InvalidArgument for a geometry md would refuse; Unimplemented when the
// data size cannot be known (no array size and no member sizes).
absl::StatusOr<Raid10Layout> MakeRaid10Layout(const MdGeometry& geo);

struct Raid10Copy {
  int32_t slot = 0;
  uint64_t row = 0;  // chunk row on that member
};

// Every copy of array chunk `vchunk` (__raid10_find_phys).
std::vector<Raid10Copy> Raid10Copies(const Raid10Layout& layout,
                                     uint64_t vchunk);

// The array chunk that chunk `row` of member `slot` holds
// (raid10_find_virt), or nullopt when the row holds no array data (past
// the far copies or in the unused tail of the last row).
std::optional<uint64_t> Raid10ArrayChunk(const Raid10Layout& layout,
                                         int32_t slot, uint64_t row);

// ChunkTarget for chunk `row` of `leg`: data with the verdict (repairable
// while another copy sits on an in_sync leg), or a StopPiece.
absl::StatusOr<ChunkTarget> MapRaid10Chunk(const MdGeometry& geo,
                                           const Raid10Layout& layout,
                                           const MdLeg& leg, uint64_t row);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_MD_RAID10_H_
