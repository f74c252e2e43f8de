#include "agent/report/range_merger.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/report/report_id.h"
#include "agent/report/sha256.h"
#include "common/byte_range.h"
#include "common/proto_time.h"

namespace mfr::agent::report {
namespace {

uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

std::string Hex64(uint64_t v) {
  return absl::StrCat(absl::Hex(v, absl::kZeroPad16));
}

// One line must stay free for the "lines omitted" marker.
RangeMergerOptions Sanitized(RangeMergerOptions o) {
  o.max_evidence_lines = std::max<size_t>(o.max_evidence_lines, 2);
  o.max_pending = std::max<size_t>(o.max_pending, 1);
  return o;
}

}  // namespace

RangeMerger::RangeMerger(RangeMergerOptions options)
    : options_(Sanitized(options)) {}

absl::StatusOr<std::vector<mfr::v1::CorruptRangeRequest>> RangeMerger::Add(
    mfr::v1::CorruptRangeRequest report, absl::Time now) {
  const ByteSpan span{report.range().offset_bytes(),
                      report.range().length_bytes()};
  absl::Status valid = ValidateSpan(span, "report range");
  if (!valid.ok()) return valid;
  std::vector<std::pair<Key, Pending>> done = TakeIf(now, /*all=*/false);
  Key key(report.host(), report.device(), report.source(), report.kind());
  Insert(key, FromReport(report, now));
  while (pending_count_ > options_.max_pending) EvictOldest(&done);
  return FinishAll(std::move(done));
}

std::vector<mfr::v1::CorruptRangeRequest> RangeMerger::Flush(absl::Time now) {
  return FinishAll(TakeIf(now, /*all=*/false));
}

absl::Time RangeMerger::NextClose() const {
  absl::Time first = absl::InfiniteFuture();
  for (const auto& [key, ranges] : pending_) {
    for (const auto& [offset, p] : ranges) {
      first = std::min(first, p.first_seen + options_.window);
    }
  }
  return first;
}

std::vector<mfr::v1::CorruptRangeRequest> RangeMerger::FlushAll() {
  return FinishAll(TakeIf(absl::InfinitePast(), /*all=*/true));
}

RangeMerger::Pending RangeMerger::FromReport(
    const mfr::v1::CorruptRangeRequest& report, absl::Time now) {
  Pending p;
  p.offset = report.range().offset_bytes();
  p.end = p.offset + report.range().length_bytes();
  p.first_seen = now;
  p.observed = report.has_observed() ? FromProtoTime(report.observed()) : now;
  p.order = next_order_++;
  p.exact = report.length_exact();
  for (const std::string& line : report.evidence()) {
    if (p.evidence.size() < options_.max_evidence_lines) {
      p.evidence.push_back(line);
    }
    const Sha256Digest d = Sha256Of(line);
    const uint64_t lo = LoadBigEndian64(d.data() + 8);
    p.digest.hi += LoadBigEndian64(d.data()) + (p.digest.lo + lo < lo);
    p.digest.lo += lo;
    ++p.evidence_total;
  }
  return p;
}

// `part` arrived after `into` (callers absorb in arrival order).
void RangeMerger::Absorb(Pending* into, Pending part) const {
  into->offset = std::min(into->offset, part.offset);
  into->end = std::max(into->end, part.end);
  into->first_seen = std::min(into->first_seen, part.first_seen);
  into->observed = std::min(into->observed, part.observed);
  into->exact = into->exact && part.exact;
  for (std::string& line : part.evidence) {
    if (into->evidence.size() >= options_.max_evidence_lines) break;
    into->evidence.push_back(std::move(line));
  }
  into->evidence_total += part.evidence_total;
  into->digest.hi +=
      part.digest.hi + (into->digest.lo + part.digest.lo < part.digest.lo);
  into->digest.lo += part.digest.lo;
}

void RangeMerger::Insert(const Key& key, Pending fresh) {
  Ranges& ranges = pending_[key];
  // Ranges are disjoint and apart, so their ends grow with their offsets:
  // the ones that overlap or touch `fresh` are a contiguous run that ends
  // at the last range starting at or before fresh.end.
  std::vector<Pending> parts;
  auto it = ranges.upper_bound(fresh.end);
  while (it != ranges.begin() && std::prev(it)->second.end >= fresh.offset) {
    it = std::prev(it);
    parts.push_back(std::move(it->second));
    it = ranges.erase(it);
    --pending_count_;
  }
  parts.push_back(std::move(fresh));
  std::sort(parts.begin(), parts.end(), [](const Pending& a, const Pending& b) {
    return a.order < b.order;
  });
  Pending merged = std::move(parts.front());
  for (size_t i = 1; i < parts.size(); ++i) {
    Absorb(&merged, std::move(parts[i]));
  }
  const uint64_t offset = merged.offset;
  ranges.emplace(offset, std::move(merged));
  ++pending_count_;
}

std::vector<std::pair<RangeMerger::Key, RangeMerger::Pending>>
RangeMerger::TakeIf(absl::Time now, bool all) {
  std::vector<std::pair<Key, Pending>> out;
  for (auto key_it = pending_.begin(); key_it != pending_.end();) {
    Ranges& ranges = key_it->second;
    for (auto it = ranges.begin(); it != ranges.end();) {
      if (all || it->second.first_seen + options_.window <= now) {
        out.emplace_back(key_it->first, std::move(it->second));
        it = ranges.erase(it);
        --pending_count_;
      } else {
        ++it;
      }
    }
    key_it = ranges.empty() ? pending_.erase(key_it) : std::next(key_it);
  }
  return out;
}

void RangeMerger::EvictOldest(std::vector<std::pair<Key, Pending>>* out) {
  auto oldest_key = pending_.end();
  Ranges::iterator oldest;
  for (auto key_it = pending_.begin(); key_it != pending_.end(); ++key_it) {
    for (auto it = key_it->second.begin(); it != key_it->second.end(); ++it) {
      if (oldest_key == pending_.end() ||
          it->second.order < oldest->second.order) {
        oldest_key = key_it;
        oldest = it;
      }
    }
  }
  if (oldest_key == pending_.end()) return;
  out->emplace_back(oldest_key->first, std::move(oldest->second));
  oldest_key->second.erase(oldest);
  if (oldest_key->second.empty()) pending_.erase(oldest_key);
  --pending_count_;
}

mfr::v1::CorruptRangeRequest RangeMerger::Finish(const Key& key,
                                                 Pending p) const {
  mfr::v1::CorruptRangeRequest r;
  r.set_host(std::get<0>(key));
  r.set_device(std::get<1>(key));
  r.set_source(static_cast<mfr::v1::ErrorSource>(std::get<2>(key)));
  r.set_kind(static_cast<mfr::v1::ErrorKind>(std::get<3>(key)));
  r.mutable_range()->set_offset_bytes(p.offset);
  r.mutable_range()->set_length_bytes(p.end - p.offset);
  r.set_length_exact(p.exact);
  *r.mutable_observed() = ToProtoTime(p.observed);
  if (p.evidence_total > options_.max_evidence_lines) {
    p.evidence.resize(options_.max_evidence_lines - 1);
    p.evidence.push_back(absl::StrCat(
        "[mfr] ", p.evidence_total - p.evidence.size(),
        " more evidence lines omitted; digest of all ", p.evidence_total,
        " lines: ", Hex64(p.digest.hi), Hex64(p.digest.lo)));
  }
  for (std::string& line : p.evidence) r.add_evidence(std::move(line));
  r.set_report_id(ComputeReportId(r));
  return r;
}

std::vector<mfr::v1::CorruptRangeRequest> RangeMerger::FinishAll(
    std::vector<std::pair<Key, Pending>> done) const {
  std::sort(done.begin(), done.end(), [](const auto& a, const auto& b) {
    return a.second.order < b.second.order;
  });
  std::vector<mfr::v1::CorruptRangeRequest> out;
  out.reserve(done.size());
  for (auto& [key, pending] : done) {
    out.push_back(Finish(key, std::move(pending)));
  }
  return out;
}

}  // namespace mfr::agent::report
