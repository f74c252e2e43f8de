// Implementation of the ndctl media-error parser.
#include "agent/sources/ndctl_json.h"

#include <utility>

#include "agent/sources/bounded_json.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

absl::Status Bad(absl::string_view why) {
  return absl::InvalidArgumentError(
      std::string("ndctl JSON: ").append(why.data(), why.size()));
}

// A number, or a hex string as printed by "ndctl list -u".
bool AsUint(const JsonValue* v, uint64_t* out) {
  if (v == nullptr) return false;
  if (v->type == JsonValue::Type::kNumber && v->is_uint) {
    *out = v->uint_value;
    return true;
  }
  if (v->type != JsonValue::Type::kString) return false;
  absl::string_view s = v->string;
  return ConsumeHex(&s, out) && s.empty();
}

std::string StringMember(const JsonValue& object, absl::string_view key) {
  const JsonValue* v = object.Find(key);
  return v != nullptr && v->type == JsonValue::Type::kString ? v->string
                                                             : std::string();
}

absl::Status ParseEntry(const JsonValue& object, const JsonValue& badblocks,
                        NdctlMediaErrors* out) {
  out->dev = StringMember(object, "dev");
  if (!IsValidDeviceName(out->dev)) return Bad("missing or bad \"dev\"");
  out->blockdev = StringMember(object, "blockdev");
  if (!out->blockdev.empty() && !IsValidDeviceName(out->blockdev)) {
    return Bad("bad \"blockdev\"");
  }
  out->mode = StringMember(object, "mode");
  out->region = absl::string_view(out->dev).substr(0, 6) == "region";
  std::vector<ByteSpan> spans;
  for (const JsonValue& bb : badblocks.array) {
    uint64_t sector, count, offset, length;
    if (bb.type != JsonValue::Type::kObject ||
        !AsUint(bb.Find("offset"), &sector) ||
        !AsUint(bb.Find("length"), &count)) {
      return Bad("badblocks entry without offset/length");
    }
    if (count == 0 || !CheckedMul(sector, kSectorBytes, &offset) ||
        !CheckedMul(count, kSectorBytes, &length) ||
        !IsValidRange(offset, length)) {
      return Bad("empty or overflowing badblocks entry");
    }
    spans.push_back({offset, length});
  }
  out->spans = NormalizeSpans(std::move(spans));
  return absl::OkStatus();
}

absl::Status Walk(const JsonValue& v, std::vector<NdctlMediaErrors>* out) {
  if (v.type == JsonValue::Type::kArray) {
    for (const JsonValue& item : v.array) {
      absl::Status s = Walk(item, out);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (v.type != JsonValue::Type::kObject) return absl::OkStatus();
  const JsonValue* badblocks = v.Find("badblocks");
  if (badblocks != nullptr && badblocks->type == JsonValue::Type::kArray) {
    NdctlMediaErrors entry;
    absl::Status s = ParseEntry(v, *badblocks, &entry);
    if (!s.ok()) return s;
    out->push_back(std::move(entry));
  }
  for (const auto& member : v.object) {
    if (member.first == "badblocks") continue;
    absl::Status s = Walk(member.second, out);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<NdctlMediaErrors>> ParseNdctlMediaErrors(
    absl::string_view json) {
  JsonLimits limits;
  limits.max_bytes = kMaxNdctlJsonBytes;
  absl::StatusOr<std::vector<JsonValue>> docs = ParseJsonStream(json, limits);
  if (!docs.ok()) return docs.status();
  std::vector<NdctlMediaErrors> out;
  for (const JsonValue& doc : *docs) {
    absl::Status s = Walk(doc, &out);
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace mfr::agent::sources
