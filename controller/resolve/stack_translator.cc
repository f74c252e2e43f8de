#include "controller/resolve/stack_translator.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mfr::controller::resolve {

struct StackTranslator::Path {
  std::vector<mfr::v1::TranslationStep> chain;  // steps all as long as range
  std::string device;
  ByteSpan range;
  bool repairable = false;
};

namespace {

mfr::v1::TranslationStep Step(const std::string& device, const ByteSpan& r,
                              std::string note) {
  mfr::v1::TranslationStep step;
  step.set_device(device);
  step.mutable_range()->set_offset_bytes(r.offset);
  step.mutable_range()->set_length_bytes(r.length);
  step.set_note(std::move(note));
  return step;
}

// The chain restricted to `piece`, a part of `range`: every step is a pure
// shift of the last one, so each moves by the same delta.
std::vector<mfr::v1::TranslationStep> Narrow(
    const std::vector<mfr::v1::TranslationStep>& chain, const ByteSpan& range,
    const ByteSpan& piece) {
  const uint64_t delta = piece.offset - range.offset;
  std::vector<mfr::v1::TranslationStep> out = chain;
  for (mfr::v1::TranslationStep& step : out) {
    mfr::v1::ByteRange* r = step.mutable_range();
    r->set_offset_bytes(r->offset_bytes() + delta);
    r->set_length_bytes(piece.length);
  }
  return out;
}

std::string WithNote(std::string note, const std::string& extra) {
  if (extra.empty()) return note;
  return note.empty() ? extra : absl::StrCat(note, "; ", extra);
}

// Why bytes no layer above `device` claims map to nothing.
std::string GapReason(const std::string& device, const UpperLayers& up) {
  if (up.holders.empty() && !up.has_partitions) {
    return absl::StrCat("nothing uses ", device,
                        ": no mount, partition, md/dm holder or loop");
  }
  if (up.holders.empty()) {
    return absl::StrCat("outside every partition of ", device,
                        " (partition table, gap or end of disk)");
  }
  return absl::StrCat(device, ": not used by ", absl::StrJoin(up.holders, ", "),
                      up.has_partitions ? " or its partitions" : "",
                      " (unallocated or outside the holder's window)");
}

std::string DedupeKey(const TranslationResult& r) {
  std::string key = absl::StrCat(r.mapped, "|", r.device, "|", r.range.offset,
                                 "|", r.range.length, "|", r.reason);
  for (const mfr::v1::TranslationStep& s : r.chain) {
    absl::StrAppend(&key, "|", s.device(), "@", s.range().offset_bytes());
  }
  return key;
}

}  // namespace

absl::string_view VerdictName(Verdict verdict) {
  return verdict == Verdict::kRepairable ? "repairable" : "loss";
}

StackTranslator::StackTranslator(mfr::v1::Topology topology,
                                 TranslateOptions options)
    : index_(std::move(topology)), options_(options) {}

absl::StatusOr<std::vector<TranslationResult>> StackTranslator::Translate(
    const DamagedRange& damaged) const {
  const ByteSpan range{damaged.offset_bytes, damaged.length_bytes};
  absl::Status status = ValidateSpan(range, "damaged range");
  if (!status.ok()) return status;
  const mfr::v1::BlockDevice* device = index_.Device(damaged.device);
  if (device == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("device ", damaged.device, " not in the topology"));
  }
  if (device->size_bytes() > 0 && range.end() > device->size_bytes()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "damaged range [", range.offset, ", ", range.end(), ") ends past ",
        damaged.device, " (", device->size_bytes(), " bytes)"));
  }
  Path root;
  root.device = damaged.device;
  root.range = range;
  root.chain.push_back(
      Step(damaged.device, range,
           WithNote("reported", index_.LoopFileNote(damaged.device))));
  std::vector<TranslationResult> results;
  status = Walk(root, &results);
  if (!status.ok()) return status;
  std::vector<TranslationResult> unique;
  std::set<std::string> seen;
  for (TranslationResult& r : results) {
    if (seen.insert(DedupeKey(r)).second) unique.push_back(std::move(r));
  }
  return unique;
}

absl::Status StackTranslator::Walk(const Path& path,
                                   std::vector<TranslationResult>* out) const {
  const std::string limit = WalkLimit(path);
  if (!limit.empty()) return AddStop(path, path.range, limit, false, out);
  absl::Status status = AddLandings(path, out);
  if (!status.ok()) return status;
  absl::StatusOr<UpperLayers> up = index_.MapUp(path.device, path.range);
  if (!up.ok()) return up.status();
  std::vector<ByteSpan> covered;
  for (const LayerMapping& layer : up->layers) {
    status = FollowLayer(path, layer, &covered, out);
    if (!status.ok()) return status;
  }
  if (!index_.MountsOn(path.device).empty()) return absl::OkStatus();
  for (const ByteSpan& gap : Uncovered(path.range, covered)) {
    status = AddStop(path, gap, GapReason(path.device, *up), false, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::string StackTranslator::WalkLimit(const Path& path) const {
  if (path.chain.size() > static_cast<size_t>(options_.max_depth)) {
    return absl::StrCat("stack deeper than ", options_.max_depth, " layers at ",
                        path.device);
  }
  for (size_t i = 0; i + 1 < path.chain.size(); ++i) {
    if (path.chain[i].device() == path.device) {
      return absl::StrCat("cycle in the topology at ", path.device);
    }
  }
  return "";
}

absl::Status StackTranslator::FollowLayer(
    const Path& path, const LayerMapping& layer, std::vector<ByteSpan>* covered,
    std::vector<TranslationResult>* out) const {
  for (const UpPiece& piece : layer.up) {
    covered->push_back(piece.lower);
    Path child{Narrow(path.chain, path.range, piece.lower), piece.device,
               piece.upper, path.repairable || piece.repairable};
    child.chain.push_back(
        Step(piece.device, piece.upper,
             WithNote(piece.note, index_.LoopFileNote(piece.device))));
    child.chain.back().set_repairable(piece.repairable);
    absl::Status status = Walk(child, out);
    if (!status.ok()) return status;
  }
  for (const StopPiece& stop : layer.stop) {
    covered->push_back(stop.lower);
    absl::Status status =
        AddStop(path, stop.lower, stop.reason, stop.repairable, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status StackTranslator::AddLandings(
    const Path& path, std::vector<TranslationResult>* out) const {
  std::vector<const mfr::v1::Mount*> mounts = index_.MountsOn(path.device);
  if (mounts.empty()) return absl::OkStatus();
  TranslationResult r;
  r.mapped = true;
  r.device = path.device;
  r.range = path.range;
  r.mount = *mounts.front();
  for (const mfr::v1::Mount* m : mounts) {
    r.mount_points.push_back(m->mount_point());
  }
  r.chain = path.chain;
  r.chain.push_back(Step(r.mount.mount_point(), path.range,
                         absl::StrCat(r.mount.fs_type(), " on ", path.device)));
  r.verdict = path.repairable ? Verdict::kRepairable : Verdict::kLoss;
  return Push(std::move(r), out);
}

absl::Status StackTranslator::AddStop(
    const Path& path, const ByteSpan& piece, const std::string& reason,
    bool repairable, std::vector<TranslationResult>* out) const {
  TranslationResult r;
  r.device = path.device;
  r.range = piece;
  r.chain = Narrow(path.chain, path.range, piece);
  r.verdict =
      path.repairable || repairable ? Verdict::kRepairable : Verdict::kLoss;
  r.reason = reason;
  return Push(std::move(r), out);
}

absl::Status StackTranslator::Push(TranslationResult result,
                                   std::vector<TranslationResult>* out) const {
  if (out->size() >= options_.max_results) {
    return absl::ResourceExhaustedError(
        absl::StrCat("range translates into more than ", options_.max_results,
                     " pieces; report a narrower range"));
  }
  out->push_back(std::move(result));
  return absl::OkStatus();
}

}  // namespace mfr::controller::resolve
