#include "controller/resolve/dm_map.h"

#include <optional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "controller/resolve/checked_math.h"

namespace mfr::controller::resolve {
namespace {

constexpr uint64_t kSectorBytes = 512;

std::vector<absl::string_view> Tokens(absl::string_view args) {
  return absl::StrSplit(args, ' ', absl::SkipWhitespace());
}

absl::StatusOr<uint64_t> SectorsToBytes(absl::string_view token,
                                        const std::string& what) {
  uint64_t sectors = 0;
  if (!absl::SimpleAtoi(token, &sectors)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": bad sector count '", token, "'"));
  }
  std::optional<uint64_t> bytes = CheckedMul(sectors, kSectorBytes);
  if (!bytes.has_value()) return OverflowError(what);
  return *bytes;
}

absl::Status MapLinear(const std::string& dm_device,
                       const mfr::v1::DmTarget& target, int index,
                       const DmDeviceRef& lower, const ByteSpan& range,
                       LayerMapping* out) {
  const std::string what = absl::StrCat(dm_device, " linear target ", index);
  std::vector<absl::string_view> args = Tokens(target.args());
  if (args.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": bad args"));
  }
  if (!DmTokenNames(args[0], lower)) return absl::OkStatus();
  absl::StatusOr<uint64_t> offset = SectorsToBytes(args[1], what);
  if (!offset.ok()) return offset.status();
  if (!CheckedAdd(*offset, target.length_bytes()).has_value() ||
      !CheckedAdd(target.start_bytes(), target.length_bytes()).has_value()) {
    return OverflowError(what);
  }
  std::optional<ByteSpan> hit =
      Intersect(range, ByteSpan{*offset, target.length_bytes()});
  if (!hit.has_value()) return absl::OkStatus();
  const uint64_t upper = target.start_bytes() + (hit->offset - *offset);
  AppendUp({dm_device, *hit, ByteSpan{upper, hit->length},
            absl::StrCat("linear target ", index, " at ", target.start_bytes(),
                         ", lower offset ", *offset),
            false},
           out);
  return absl::OkStatus();
}

struct StripeGeometry {
  uint64_t stripes = 0;
  uint64_t chunk_bytes = 0;
  uint64_t width_bytes = 0;  // bytes of the target on each stripe
};

absl::StatusOr<StripeGeometry> ParseStripes(
    const std::vector<absl::string_view>& args, const mfr::v1::DmTarget& target,
    const std::string& what) {
  StripeGeometry g;
  if (args.size() < 4 || !absl::SimpleAtoi(args[0], &g.stripes) ||
      g.stripes == 0 || args.size() != 2 + 2 * g.stripes) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": bad args"));
  }
  absl::StatusOr<uint64_t> chunk = SectorsToBytes(args[1], what);
  if (!chunk.ok()) return chunk.status();
  g.chunk_bytes = *chunk;
  if (g.chunk_bytes == 0 || target.length_bytes() % g.stripes != 0 ||
      (target.length_bytes() / g.stripes) % g.chunk_bytes != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": length not a multiple of stripes x chunk"));
  }
  g.width_bytes = target.length_bytes() / g.stripes;
  return g;
}

absl::Status MapStripe(const std::string& dm_device,
                       const mfr::v1::DmTarget& target, int index,
                       const StripeGeometry& g, uint64_t stripe,
                       uint64_t offset, const ByteSpan& range,
                       LayerMapping* out) {
  if (!CheckedAdd(offset, g.width_bytes).has_value()) {
    return OverflowError(dm_device);
  }
  std::optional<ByteSpan> hit =
      Intersect(range, ByteSpan{offset, g.width_bytes});
  if (!hit.has_value()) return absl::OkStatus();
  const std::string note =
      absl::StrCat("striped target ", index, " at ", target.start_bytes(),
                   ", stripe ", stripe, " of ", g.stripes);
  auto map = [&](uint64_t row) -> absl::StatusOr<ChunkTarget> {
    // Chunk `row` of this stripe is chunk row * stripes + stripe of the
    // target (dm-stripe.c stripe_map_sector, inverted).
    std::optional<uint64_t> chunk = CheckedMulAdd(row, g.stripes, stripe);
    std::optional<uint64_t> start =
        chunk ? CheckedMulAdd(*chunk, g.chunk_bytes, target.start_bytes())
              : std::nullopt;
    if (!start.has_value()) return OverflowError(dm_device);
    return ChunkTarget{true, *start, note, "", false};
  };
  return WalkChunks(ByteSpan{hit->offset - offset, hit->length}, offset,
                    g.chunk_bytes, dm_device, map, out);
}

absl::Status MapStriped(const std::string& dm_device,
                        const mfr::v1::DmTarget& target, int index,
                        const DmDeviceRef& lower, const ByteSpan& range,
                        LayerMapping* out) {
  const std::string what = absl::StrCat(dm_device, " striped target ", index);
  std::vector<absl::string_view> args = Tokens(target.args());
  absl::StatusOr<StripeGeometry> g = ParseStripes(args, target, what);
  if (!g.ok()) return g.status();
  for (uint64_t k = 0; k < g->stripes; ++k) {
    if (!DmTokenNames(args[2 + 2 * k], lower)) continue;
    absl::StatusOr<uint64_t> offset = SectorsToBytes(args[3 + 2 * k], what);
    if (!offset.ok()) return offset.status();
    absl::Status status =
        MapStripe(dm_device, target, index, *g, k, *offset, range, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

bool TargetNames(const mfr::v1::DmTarget& target, const DmDeviceRef& ref) {
  for (absl::string_view token : Tokens(target.args())) {
    if (DmTokenNames(token, ref)) return true;
  }
  return false;
}

// The parts of `range` no UpPiece covers, as StopPieces with `reason`.
void StopUncovered(const ByteSpan& range, const std::string& reason,
                   LayerMapping* out) {
  std::vector<ByteSpan> covered;
  for (const UpPiece& p : out->up) covered.push_back(p.lower);
  for (const ByteSpan& gap : Uncovered(range, covered)) {
    AppendStop({gap, reason, false}, out);
  }
}

}  // namespace

bool DmTokenNames(absl::string_view token, const DmDeviceRef& ref) {
  if (ref.has_dev && token == absl::StrCat(ref.major, ":", ref.minor)) {
    return true;
  }
  if (!ref.name.empty() &&
      (token == ref.name || token == absl::StrCat("/dev/", ref.name))) {
    return true;
  }
  return !ref.dm_name.empty() &&
         token == absl::StrCat("/dev/mapper/", ref.dm_name);
}

bool DmTableUses(const mfr::v1::DmTable& table, const DmDeviceRef& ref) {
  for (const mfr::v1::DmTarget& target : table.targets()) {
    if (TargetNames(target, ref)) return true;
  }
  return false;
}

absl::StatusOr<LayerMapping> MapLowerToDm(const std::string& dm_device,
                                          const mfr::v1::DmTable& table,
                                          const DmDeviceRef& lower,
                                          bool lower_is_slave,
                                          const ByteSpan& range) {
  absl::Status status = ValidateSpan(range, "dm lower range");
  if (!status.ok()) return status;
  LayerMapping out;
  std::vector<std::string> unsupported;
  for (int i = 0; i < table.targets_size(); ++i) {
    const mfr::v1::DmTarget& target = table.targets(i);
    if (target.type() == "linear") {
      status = MapLinear(dm_device, target, i, lower, range, &out);
    } else if (target.type() == "striped") {
      status = MapStriped(dm_device, target, i, lower, range, &out);
    } else if (TargetNames(target, lower)) {
      unsupported.push_back(target.type());
    }
    if (!status.ok()) return status;
  }
  if (table.targets().empty() && lower_is_slave) {
    StopUncovered(range,
                  absl::StrCat(dm_device, " (", table.dm_name(),
                               "): dm table unknown, cannot translate"),
                  &out);
  } else if (!unsupported.empty()) {
    StopUncovered(range,
                  absl::StrCat(dm_device, " (", table.dm_name(),
                               "): unsupported dm target ",
                               absl::StrJoin(unsupported, ", ")),
                  &out);
  }
  return out;
}

}  // namespace mfr::controller::resolve
