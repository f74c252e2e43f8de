// What one layer of the block stack (partition, md, dm, loop) makes of a
// byte range on a lower device: the pieces that land on an upper device and
// the pieces the layer claims but that hold no upper data (md superblock
// area, raid5 parity, a spare). Parts of the range that appear in neither
// list are simply not used by that layer; the driver (stack_translator.h)
// decides what that means once it has asked every layer above the device.
//
// Every piece is a pure shift: `upper` has the same length as `lower`, and
// byte lower.offset + i lands on byte upper.offset + i. Layers split their
// output at chunk boundaries to keep that true. All values are bytes.
#ifndef MFR_CONTROLLER_RESOLVE_LAYER_MAPPING_H_
#define MFR_CONTROLLER_RESOLVE_LAYER_MAPPING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/byte_range.h"

namespace mfr::controller::resolve {

// A piece of the lower range that lands on `device`.
struct UpPiece {
  std::string device;       // kernel name of the upper device
  ByteSpan lower;           // part of the input range, on the lower device
  ByteSpan upper;           // where it lands on `device`
  std::string note;         // for the TranslationStep, e.g. "partition 1 .."
  bool repairable = false;  // a redundant layer (md) can restore these bytes

  bool operator==(const UpPiece& o) const {
    return device == o.device && lower == o.lower && upper == o.upper &&
           note == o.note && repairable == o.repairable;
  }
};

// A piece of the lower range that the layer owns but that maps to no data
// of the upper device.
struct StopPiece {
  ByteSpan lower;           // part of the input range, on the lower device
  std::string reason;       // e.g. "md0: raid5 parity (P) of stripe ..."
  bool repairable = false;  // md can rebuild it (parity), say so

  bool operator==(const StopPiece& o) const {
    return lower == o.lower && reason == o.reason && repairable == o.repairable;
  }
};

struct LayerMapping {
  std::vector<UpPiece> up;
  std::vector<StopPiece> stop;
};

// Appends, merging with the last piece when both sides continue it (same
// device, note and verdict; lower and upper both contiguous).
void AppendUp(UpPiece piece, LayerMapping* out);
// Appends, merging with the last stop piece when contiguous with the same
// reason and verdict.
void AppendStop(StopPiece piece, LayerMapping* out);

// Most chunks one layer walks for one range: a bound on CPU and output for
// hostile or huge ranges (2^20 chunks of 512 KiB = 512 GiB of one member).
inline constexpr uint64_t kMaxChunkSteps = uint64_t{1} << 20;

// Where one chunk of a striped layout lands.
struct ChunkTarget {
  bool data = false;         // false: a StopPiece with `reason`
  uint64_t upper_start = 0;  // data: upper offset of the chunk's first byte
  std::string note;          // data: the UpPiece note
  std::string reason;        // !data: the StopPiece reason
  bool repairable = false;
};

// Walks `area_range` (bytes relative to the start of a chunked area that
// begins at lower offset `area_start`) chunk by chunk, asks `map` where
// chunk i lands, and appends the pieces (coalesced) to `out`, naming
// `device` as the upper device. Errors: whatever `map` returns;
// InvalidArgument for chunk_bytes == 0 or overflowing offsets;
// ResourceExhausted beyond kMaxChunkSteps chunks.
absl::Status WalkChunks(
    const ByteSpan& area_range, uint64_t area_start, uint64_t chunk_bytes,
    const std::string& device,
    const std::function<absl::StatusOr<ChunkTarget>(uint64_t)>& map,
    LayerMapping* out);

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_LAYER_MAPPING_H_
