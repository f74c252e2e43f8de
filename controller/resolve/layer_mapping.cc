#include "controller/resolve/layer_mapping.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {

void AppendUp(UpPiece piece, LayerMapping* out) {
  if (!out->up.empty()) {
    UpPiece& last = out->up.back();
    if (last.device == piece.device && last.note == piece.note &&
        last.repairable == piece.repairable &&
        last.lower.end() == piece.lower.offset &&
        last.upper.end() == piece.upper.offset) {
      last.lower.length += piece.lower.length;
      last.upper.length += piece.upper.length;
      return;
    }
  }
  out->up.push_back(std::move(piece));
}

void AppendStop(StopPiece piece, LayerMapping* out) {
  if (!out->stop.empty()) {
    StopPiece& last = out->stop.back();
    if (last.reason == piece.reason && last.repairable == piece.repairable &&
        last.lower.end() == piece.lower.offset) {
      last.lower.length += piece.lower.length;
      return;
    }
  }
  out->stop.push_back(std::move(piece));
}

namespace {

// Appends where the part [begin, end) of chunk `chunk_start` (both relative
// to the area) lands.
absl::Status AppendChunk(const ChunkTarget& target, uint64_t area_start,
                         uint64_t chunk_start, uint64_t begin, uint64_t end,
                         const std::string& device, LayerMapping* out) {
  const ByteSpan lower{area_start + begin, end - begin};
  if (!target.data) {
    AppendStop({lower, target.reason, target.repairable}, out);
    return absl::OkStatus();
  }
  std::optional<uint64_t> upper =
      CheckedAdd(target.upper_start, begin - chunk_start);
  if (!upper.has_value() || !CheckedAdd(*upper, lower.length).has_value()) {
    return OverflowError(device);
  }
  AppendUp({device, lower, ByteSpan{*upper, lower.length}, target.note,
            target.repairable},
           out);
  return absl::OkStatus();
}

}  // namespace

absl::Status WalkChunks(
    const ByteSpan& area_range, uint64_t area_start, uint64_t chunk_bytes,
    const std::string& device,
    const std::function<absl::StatusOr<ChunkTarget>(uint64_t)>& map,
    LayerMapping* out) {
  if (chunk_bytes == 0) {
    return absl::InvalidArgumentError(absl::StrCat(device, ": chunk size 0"));
  }
  if (!CheckedAdd(area_start, area_range.end()).has_value()) {
    return OverflowError(device);
  }
  const uint64_t first = area_range.offset / chunk_bytes;
  const uint64_t last = (area_range.end() - 1) / chunk_bytes;
  if (last - first >= kMaxChunkSteps) {
    return absl::ResourceExhaustedError(
        absl::StrCat(device, ": range spans more than ", kMaxChunkSteps,
                     " chunks; report a narrower range"));
  }
  for (uint64_t chunk = first; chunk <= last; ++chunk) {
    const uint64_t chunk_start = chunk * chunk_bytes;  // <= end - 1
    const uint64_t begin = std::max(area_range.offset, chunk_start);
    const uint64_t end = std::min(
        area_range.end(),
        CheckedAdd(chunk_start, chunk_bytes).value_or(area_range.end()));
    absl::StatusOr<ChunkTarget> target = map(chunk);
    if (!target.ok()) return target.status();
    absl::Status status =
        AppendChunk(*target, area_start, chunk_start, begin, end, device, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace mfr::controller::resolve
