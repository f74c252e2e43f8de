#include "controller/resolve/partition_map.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {

absl::StatusOr<LayerMapping> MapDiskToPartitions(
    const std::vector<PartitionExtent>& partitions, const ByteSpan& range) {
  absl::Status valid = ValidateSpan(range, "disk range");
  if (!valid.ok()) return valid;
  LayerMapping out;
  for (const PartitionExtent& p : partitions) {
    if (p.size_bytes == 0) continue;
    if (!CheckedAdd(p.start_bytes, p.size_bytes).has_value()) {
      return OverflowError(absl::StrCat("partition ", p.name));
    }
    std::optional<ByteSpan> hit =
        Intersect(range, ByteSpan{p.start_bytes, p.size_bytes});
    if (!hit.has_value()) continue;
    UpPiece piece;
    piece.device = p.name;
    piece.lower = *hit;
    piece.upper = ByteSpan{hit->offset - p.start_bytes, hit->length};
    piece.note =
        absl::StrCat("partition ", p.number, ", start ", p.start_bytes);
    out.up.push_back(std::move(piece));
  }
  return out;
}

}  // namespace mfr::controller::resolve
