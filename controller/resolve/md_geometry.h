// md (software RAID) geometry as the translator needs it, parsed from the
// topology's MdArray (sysfs md/level, chunk_size, layout, raid_disks and
// md/dev-*/{slot, offset, state}; Documentation/admin-guide/md.rst).
//
// Layouts use md's own numeric encoding (what sysfs md/layout prints);
// mdadm's names are accepted too:
//   raid4/5/6  the algorithm number of drivers/md/raid5.h (0 left-asymmetric,
//              1 right-asymmetric, 2 left-symmetric, 3 right-symmetric,
//              4 parity-first, 5 parity-last, 8/9/10 ddf-*, 16..20 the
//              raid6 "-6" variants); empty means 2 (left-symmetric), md's
//              default;
//   raid10     near copies = layout & 0xff, far copies = (layout >> 8) & 0xff,
//              bit 16 "offset", layout >> 17 selects far sets; "n2", "f2",
//              "o3" are accepted;
//   raid0      1 original, 2 alternate multi-zone layout; 0 when unset.
// Units: bytes. Errors: InvalidArgument for an unparsable layout, a chunk
// size that is not a multiple of 512, or raid_disks 0 on a striped level.
// Levels mfr does not translate (linear, multipath, container, ...) parse to
// MdLevel::kUnsupported and are reported by md_map.h. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_MD_GEOMETRY_H_
#define MFR_CONTROLLER_RESOLVE_MD_GEOMETRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::resolve {

enum class MdLevel {
  kUnsupported,
  kRaid0,
  kRaid1,
  kRaid4,
  kRaid5,
  kRaid6,
  kRaid10
};

struct MdLeg {
  std::string device;  // kernel name of the member
  int32_t slot = -1;   // -1: spare or failed, holds no data
  uint64_t data_offset_bytes = 0;
  bool in_sync = false;            // state has "in_sync" and not "faulty"
  std::string state;               // raw sysfs state
  uint64_t device_size_bytes = 0;  // the member device's size; 0 unknown
};

struct MdGeometry {
  std::string name;        // kernel name of the array, e.g. "md0"
  std::string level_text;  // as in the topology, e.g. "raid5"
  MdLevel level = MdLevel::kUnsupported;
  uint64_t chunk_bytes = 0;
  uint32_t raid_disks = 0;
  uint32_t layout = 0;       // md's numeric encoding (see above)
  uint64_t array_bytes = 0;  // the md device's size; 0 unknown
  std::vector<MdLeg> legs;   // every member, spares included

  // The leg called `device`, or nullptr.
  const MdLeg* Leg(absl::string_view device) const;
  // True when some in_sync leg holds `slot`.
  bool SlotInSync(int32_t slot) const;
  // Slots in [0, raid_disks) other than `slot` with no in_sync leg.
  uint32_t DegradedSlotsExcept(int32_t slot) const;
};

// Parses the md layer of `device` (which must have one). Member device
// sizes stay 0: the caller fills them from the topology.
absl::StatusOr<MdGeometry> ParseMdGeometry(const mfr::v1::BlockDevice& device);

// md's numeric layout for `level` from sysfs digits or an mdadm name.
absl::StatusOr<uint32_t> ParseMdLayout(MdLevel level, absl::string_view text);

// "raid5" -> kRaid5, ...; anything else kUnsupported.
MdLevel ParseMdLevel(absl::string_view text);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_MD_GEOMETRY_H_
