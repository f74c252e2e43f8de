#include "controller/resolve/loop_map.h"

#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {

bool BacksOnDevice(absl::string_view backing_file, absl::string_view device,
                   absl::string_view dm_name) {
  if (!device.empty() && backing_file == absl::StrCat("/dev/", device)) {
    return true;
  }
  return !dm_name.empty() &&
         backing_file == absl::StrCat("/dev/mapper/", dm_name);
}

absl::StatusOr<LayerMapping> MapBackingDeviceToLoop(const LoopWindow& loop,
                                                    const ByteSpan& range) {
  absl::Status valid = ValidateSpan(range, "backing device range");
  if (!valid.ok()) return valid;
  uint64_t window_length =
      std::numeric_limits<uint64_t>::max() - loop.offset_bytes;
  if (loop.size_bytes != 0) {
    if (!CheckedAdd(loop.offset_bytes, loop.size_bytes).has_value()) {
      return OverflowError(absl::StrCat("loop ", loop.name));
    }
    window_length = loop.size_bytes;
  }
  LayerMapping out;
  std::optional<ByteSpan> hit =
      Intersect(range, ByteSpan{loop.offset_bytes, window_length});
  if (!hit.has_value()) return out;
  UpPiece piece;
  piece.device = loop.name;
  piece.lower = *hit;
  piece.upper = ByteSpan{hit->offset - loop.offset_bytes, hit->length};
  piece.note = absl::StrCat("loop over ", loop.backing_file, ", offset ",
                            loop.offset_bytes);
  out.up.push_back(std::move(piece));
  return out;
}

}  // namespace mfr::controller::resolve
