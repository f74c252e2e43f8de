// Device-mapper layer: a range on one of a dm device's lower devices -> the
// ranges of the dm device that use it.
//
// Supported targets (Documentation/admin-guide/device-mapper/):
//   linear   args "<dev> <offset>": dm byte start + i is byte offset*512 + i
//            of <dev>;
//   striped  args "<#stripes> <chunk sectors> (<dev> <offset>)...": dm
//            chunk j of the target sits on stripe j % #stripes, at chunk row
//            j / #stripes past that stripe's offset (drivers/md/dm-stripe.c
//            stripe_map_sector).
// <dev> is "major:minor" (what `dmsetup table` prints), "/dev/<name>",
// "/dev/mapper/<dm name>" or a bare kernel name. Target offsets, args and
// chunk sizes are 512-byte sectors; everything returned is bytes.
//
// The parts of the range no supported target uses are left out, except when
// an unsupported target (thin, crypt, raid, ...) names the lower device or
// the table is unknown: then they are StopPieces saying so, because the dm
// device does use them, in a way mfr cannot translate.
//
// Errors: InvalidArgument for an invalid range, malformed linear/striped
// args or overflowing offsets; ResourceExhausted when a striped target
// would need more than kMaxChunkSteps chunks. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_DM_MAP_H_
#define MFR_CONTROLLER_RESOLVE_DM_MAP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"
#include "controller/resolve/layer_mapping.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::resolve {

// How a dm table may name a lower device.
struct DmDeviceRef {
  std::string name;  // kernel name, e.g. "sdb2"
  bool has_dev = false;
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string dm_name;  // for a dm device below: its mapper name
};

// True when a table token ("8:18", "/dev/sdb2", ...) names `ref`.
bool DmTokenNames(absl::string_view token, const DmDeviceRef& ref);

// True when some target of `table` names `ref` in its args.
bool DmTableUses(const mfr::v1::DmTable& table, const DmDeviceRef& ref);

// Maps `range` on `lower` to `dm_device` (kernel name, e.g. "dm-0").
// `lower_is_slave`: the topology lists `lower` among the dm device's
// slaves (used to report a range under an unknown table).
absl::StatusOr<LayerMapping> MapLowerToDm(const std::string& dm_device,
                                          const mfr::v1::DmTable& table,
                                          const DmDeviceRef& lower,
                                          bool lower_is_slave,
                                          const ByteSpan& range);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_DM_MAP_H_
