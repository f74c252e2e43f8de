// Implementation of KnownBadblocks.
#include "agent/pmem/known_badblocks.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::pmem {
namespace {

constexpr absl::string_view kHeader = "mfr-pmem-known-badblocks 1";

using Spans = std::vector<sources::ByteSpan>;

Spans Union(Spans a, const Spans& b) {
  a.insert(a.end(), b.begin(), b.end());
  return sources::NormalizeSpans(std::move(a));
}

absl::Status Corrupt(size_t line, absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat("pmem known-badblocks state line ", line, ": ", why));
}

// "<offset>+<length>".
bool ParseSpan(absl::string_view text, sources::ByteSpan* span) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits('+', 1));
  return absl::SimpleAtoi(parts.first, &span->offset) &&
         absl::SimpleAtoi(parts.second, &span->length) &&
         sources::IsValidRange(span->offset, span->length);
}

absl::Status DecodeLine(absl::string_view line, size_t number,
                        std::map<std::string, KnownDevice>* devices) {
  std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
  uint64_t count = 0;
  KnownDevice device;
  if (f.size() < 3 || !sources::IsValidDeviceName(f[0]) ||
      !absl::SimpleAtoi(f[1], &device.clears) ||
      !absl::SimpleAtoi(f[2], &count) || count != f.size() - 3) {
    return Corrupt(number, "expected \"<device> <clears> <count> spans...\"");
  }
  if (count > kMaxKnownSpansPerDevice) return Corrupt(number, "too many spans");
  for (size_t i = 3; i < f.size(); ++i) {
    sources::ByteSpan span;
    if (!ParseSpan(f[i], &span)) return Corrupt(number, "bad span");
    device.spans.push_back(span);
  }
  device.spans = sources::NormalizeSpans(std::move(device.spans));
  if (!devices->emplace(std::string(f[0]), std::move(device)).second) {
    return Corrupt(number, "device listed twice");
  }
  return absl::OkStatus();
}

}  // namespace

KnownUpdate KnownBadblocks::Apply(const PollObservations& poll) {
  KnownUpdate update;
  std::map<std::string, Spans> now;
  for (const Observation& o : poll.observations) {
    now[o.device] = Union(std::move(now[o.device]), o.spans);
  }
  std::map<std::string, Spans> seen;  // known + added so far, per device
  for (auto& [name, device] : devices_) seen[name] = device.spans;
  for (auto& [name, spans] : now) seen.try_emplace(name);
  // Clears first: a range that is new in this poll carries the new count.
  for (const auto& [name, before] : seen) {
    if (poll.IsIncomplete(name)) continue;
    Spans cleared = sources::DiffBadblocks(before, now[name]).cleared;
    if (cleared.empty()) continue;
    ++devices_[name].clears;
    for (const auto& span : cleared) update.cleared.push_back({name, span});
  }
  for (const Observation& o : poll.observations) {
    Spans fresh = sources::DiffBadblocks(seen[o.device], o.spans).added;
    for (const auto& span : fresh) {
      update.added.push_back(
          {o.device, span, o.source, o.origin, devices_[o.device].clears});
    }
    seen[o.device] = Union(std::move(seen[o.device]), fresh);
  }
  for (auto& [name, spans] : seen) {
    Spans known = poll.IsIncomplete(name) ? std::move(spans) : now[name];
    KnownDevice& device = devices_[name];
    device.spans = std::move(known);
    if (device.spans.empty() && device.clears == 0) devices_.erase(name);
  }
  update.changed = !update.added.empty() || !update.cleared.empty();
  return update;
}

void KnownBadblocks::Forget(const std::string& device, sources::ByteSpan span) {
  auto it = devices_.find(device);
  if (it == devices_.end()) return;
  it->second.spans = sources::DiffBadblocks(it->second.spans, {span}).cleared;
  if (it->second.spans.empty() && it->second.clears == 0) devices_.erase(it);
}

std::string KnownBadblocks::Encode() const {
  std::string out = absl::StrCat(kHeader, "\n");
  for (const auto& [name, device] : devices_) {
    absl::StrAppend(&out, name, " ", device.clears, " ", device.spans.size());
    for (const auto& span : device.spans) {
      absl::StrAppend(&out, " ", span.offset, "+", span.length);
    }
    out += "\n";
  }
  return out;
}

absl::StatusOr<KnownBadblocks> KnownBadblocks::Decode(absl::string_view text) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != kHeader) {
    return Corrupt(1, absl::StrCat("expected \"", kHeader, "\""));
  }
  if (lines.size() - 1 > kMaxKnownDevices)
    return Corrupt(1, "too many devices");
  KnownBadblocks known;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (auto s = DecodeLine(lines[i], i + 1, &known.devices_); !s.ok()) {
      return s;
    }
  }
  return known;
}

}  // namespace mfr::agent::pmem
