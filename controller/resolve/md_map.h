// md layer: a range on one member (leg) of an md array -> array ranges.
//
// The member's bytes are, in order: md's metadata area [0, data_offset)
// (superblock, write-intent bitmap, bad-block log: a StopPiece), the data
// area, and whatever lies past it (a StopPiece). Data-area bytes map by
// level:
//   raid1      array byte = member byte - data_offset (every leg holds all);
//   raid0      chunk striping, multi-zone included (md_raid0.h);
//   raid10     near/far/offset copies (md_raid10.h);
//   raid4/5/6  data chunks map to the array; parity chunks are StopPieces
//              (no array data; md rewrites them) (md_raid456.h).
// A spare or failed member (slot -1) holds no array data: one StopPiece.
//
// Verdict: bytes of a leg with redundancy left (another in_sync copy for
// raid1/10; fewer other degraded slots than the level tolerates for
// raid4/5/6) are `repairable` (md rebuilds them on check/repair); raid0 and
// redundancy-less legs are loss. The verdict assumes only this leg is hit at
// these array offsets.
//
// Errors: InvalidArgument for an invalid range, a `member` that is not a
// leg of `geo`, overflowing offsets or a geometry md would refuse;
// Unimplemented for a level or layout mfr does not translate (md linear,
// multipath, raid0 zones of unknown member sizes, exotic raid5/6 layouts);
// ResourceExhausted past kMaxChunkSteps chunks. The driver turns the
// topology errors into unmapped pieces. Units: bytes. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_MD_MAP_H_
#define MFR_CONTROLLER_RESOLVE_MD_MAP_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"
#include "controller/resolve/layer_mapping.h"
#include "controller/resolve/md_geometry.h"

namespace mfr::controller::resolve {

absl::StatusOr<LayerMapping> MapMemberToMd(const MdGeometry& geo,
                                           absl::string_view member,
                                           const ByteSpan& range);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_MD_MAP_H_
