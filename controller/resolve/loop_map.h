// Loop layer: a range on a loop device's backing *block device* -> the
// range on the loop device.
//
// A loop device shows the window [offset, offset + size) of what backs it;
// byte offset + i of the backing device is byte i of the loop device
// (identity when offset is 0). `size_bytes` is the loop's sizelimit, or its
// own size when there is none; 0 means "to the end of the backing device".
// A loop over a regular *file* is its own device: damage reported on the
// loop device is what the filesystem on it sees, and the backing file's
// blocks are a separate question (that file lives on another filesystem and
// is resolved through that filesystem's reverse map, not through this
// layer). Units: bytes.
//
// Errors: InvalidArgument for an invalid range or a window whose end
// overflows. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_LOOP_MAP_H_
#define MFR_CONTROLLER_RESOLVE_LOOP_MAP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"
#include "controller/resolve/layer_mapping.h"

namespace mfr::controller::resolve {

struct LoopWindow {
  std::string name;          // the loop device, e.g. "loop0"
  std::string backing_file;  // as the kernel reports it, e.g. "/dev/sdb"
  uint64_t offset_bytes = 0;
  uint64_t size_bytes = 0;  // 0: to the end of the backing device
};

// True when `backing_file` names the block device `device` ("/dev/sdb") or,
// for a dm device, its mapper name ("/dev/mapper/vg0-data").
bool BacksOnDevice(absl::string_view backing_file, absl::string_view device,
                   absl::string_view dm_name);

// At most one UpPiece (note "loop over <backing>, offset N"); parts outside
// the window are left out. `stop` stays empty.
absl::StatusOr<LayerMapping> MapBackingDeviceToLoop(const LoopWindow& loop,
                                                    const ByteSpan& range);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_LOOP_MAP_H_
