#include "controller/recovery/outcome.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/byte_range.h"
#include "common/proto_range.h"

namespace mfr::controller::recovery {
namespace {

using mfr::v1::Action;
using mfr::v1::ActionRecord;
using mfr::v1::IncidentState;
using mfr::v1::OwnerExtent;

bool Covers(const ActionRecord& record, const OwnerExtent& owner) {
  const Action& a = record.action();
  if (owner.repairable()) return a.has_md_check();
  switch (owner.kind()) {
    case mfr::v1::OWNER_KIND_FILE_DATA: {
      const auto* t = FileTargetOf(a);
      return t != nullptr && t->mount_point() == owner.mount_point() &&
             t->inode() == owner.inode() &&
             Intersect(SpanOf(t->file_range()), SpanOf(owner.file_range()));
    }
    case mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT:
      return a.has_refresh_snapshot() &&
             a.refresh_snapshot().mount_point() == owner.mount_point();
    case mfr::v1::OWNER_KIND_FREE_SPACE:
      return false;
    default:  // metadata-like owners
      return a.has_scrub() && a.scrub().mount_point() == owner.mount_point();
  }
}

// `spans` clipped to `within`, normalized.
std::vector<ByteSpan> Clip(const std::vector<ByteSpan>& spans,
                           const ByteSpan& within) {
  std::vector<ByteSpan> out;
  for (const ByteSpan& s : spans) {
    if (auto i = Intersect(s, within)) out.push_back(*i);
  }
  return Normalize(std::move(out));
}

IncidentState OwnerState(const std::vector<const ActionRecord*>& records,
                         OwnerExtent* owner) {
  owner->clear_recovered_file_ranges();
  owner->clear_lost_file_ranges();
  if (!owner->repairable() &&
      (owner->kind() == mfr::v1::OWNER_KIND_FREE_SPACE ||
       (owner->kind() == mfr::v1::OWNER_KIND_FILE_DATA &&
        owner->unwritten()))) {
    return mfr::v1::INCIDENT_STATE_RECOVERED;  // nothing lived there
  }
  if (records.empty()) return mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION;
  bool any_done = false;
  std::vector<ByteSpan> saved, lost;
  for (const ActionRecord* r : records) {
    if (!r->has_result()) return mfr::v1::INCIDENT_STATE_OPEN;
    const auto& result = r->result();
    if (result.outcome() != mfr::v1::ACTION_OUTCOME_DONE) continue;
    any_done = true;
    for (const auto& s : result.recovered_file_ranges())
      saved.push_back(SpanOf(s));
    for (const auto& s : result.lost_file_ranges()) lost.push_back(SpanOf(s));
  }
  if (owner->repairable()) {
    return any_done ? mfr::v1::INCIDENT_STATE_RECOVERED
                    : mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION;
  }
  if (owner->kind() != mfr::v1::OWNER_KIND_FILE_DATA) {
    return mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION;  // never written by mfr
  }
  const ByteSpan range = SpanOf(owner->file_range());
  saved = Clip(saved, range);
  lost = Clip(lost, range);
  AddRanges(saved, owner->mutable_recovered_file_ranges());
  AddRanges(lost, owner->mutable_lost_file_ranges());
  if (!lost.empty()) {
    return saved.empty() ? mfr::v1::INCIDENT_STATE_DATA_LOST
                         : mfr::v1::INCIDENT_STATE_PARTIALLY_RECOVERED;
  }
  const bool all_saved = saved.size() == 1 && saved[0] == range;
  return all_saved ? mfr::v1::INCIDENT_STATE_RECOVERED
                   : mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION;
}

std::string RangesText(
    const google::protobuf::RepeatedPtrField<mfr::v1::ByteRange>& ranges) {
  std::vector<std::string> parts;
  for (const auto& r : ranges) {
    parts.push_back(absl::StrCat(r.offset_bytes(), "+", r.length_bytes()));
  }
  return absl::StrJoin(parts, ", ");
}

std::string TargetText(const mfr::v1::FileRangeTarget& t) {
  return absl::StrCat(t.mount_point(), ":", t.path(), " (inode ", t.inode(),
                      ") bytes ", t.file_range().offset_bytes(), "+",
                      t.file_range().length_bytes(), " at device bytes ",
                      t.device_range().offset_bytes());
}

}  // namespace

const mfr::v1::FileRangeTarget* FileTargetOf(const mfr::v1::Action& a) {
  if (a.has_kill_mappers()) return &a.kill_mappers().target();
  if (a.has_rewrite()) return &a.rewrite().target();
  return nullptr;
}

mfr::v1::IncidentState EffectiveOwnerState(const mfr::v1::Incident& incident,
                                           const OwnerExtent& owner) {
  if (incident.state() == mfr::v1::INCIDENT_STATE_RESOLVED ||
      owner.state() == mfr::v1::INCIDENT_STATE_UNSPECIFIED) {
    return incident.state();
  }
  return owner.state();
}

std::string AuditLine(absl::Time now, absl::string_view text) {
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ ", now, absl::UTCTimeZone()), text);
}

void DeriveOutcome(mfr::v1::Incident* incident) {
  bool open = false, lost = false, saved = false, attention = false;
  for (const ActionRecord& r : incident->actions()) {
    open |= !r.has_result();  // e.g. a probe every owner waits for
  }
  for (OwnerExtent& owner : *incident->mutable_owners()) {
    std::vector<const ActionRecord*> records;
    for (const ActionRecord& r : incident->actions()) {
      if (Covers(r, owner)) records.push_back(&r);
    }
    const IncidentState state = OwnerState(records, &owner);
    owner.set_state(state);
    open |= state == mfr::v1::INCIDENT_STATE_OPEN;
    lost |= owner.lost_file_ranges_size() > 0;
    saved |= owner.recovered_file_ranges_size() > 0;
    attention |= state == mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION;
  }
  if (incident->state() == mfr::v1::INCIDENT_STATE_ACKNOWLEDGED ||
      incident->state() == mfr::v1::INCIDENT_STATE_RESOLVED) {
    return;
  }
  IncidentState state = mfr::v1::INCIDENT_STATE_RECOVERED;
  if (open) {
    state = mfr::v1::INCIDENT_STATE_OPEN;
  } else if (lost) {
    state = saved ? mfr::v1::INCIDENT_STATE_PARTIALLY_RECOVERED
                  : mfr::v1::INCIDENT_STATE_DATA_LOST;
  } else if (attention || incident->owners().empty()) {
    state = mfr::v1::INCIDENT_STATE_NEEDS_ATTENTION;
  }
  incident->set_state(state);
}

std::string DescribeAction(const Action& a) {
  std::string what;
  if (a.has_kill_mappers()) {
    what = absl::StrCat("kill mappers (signal ", a.kill_mappers().signal(),
                        ") of ", TargetText(a.kill_mappers().target()));
  } else if (a.has_rewrite()) {
    what = absl::StrCat("rewrite from page cache ",
                        TargetText(a.rewrite().target()));
  } else if (a.has_scrub()) {
    what = absl::StrCat("scrub ", a.scrub().mount_point());
  } else if (a.has_md_check()) {
    what = absl::StrCat("md check ", a.md_check().array());
  } else if (a.has_refresh_snapshot()) {
    what = absl::StrCat("refresh snapshot of ",
                        a.refresh_snapshot().mount_point());
  } else if (a.has_probe()) {
    what = absl::StrCat("probe ", a.probe().device(), " bytes ",
                        a.probe().range().offset_bytes(), "+",
                        a.probe().range().length_bytes());
  }
  return absl::StrCat("planned ", a.id(), a.dry_run() ? " (dry run)" : "", ": ",
                      what, " — because ", a.reason());
}

std::string DescribeResult(const Action& a,
                           const mfr::v1::ActionResult& result) {
  std::string line = absl::StrCat(
      "result ", a.id(), ": ", mfr::v1::ActionOutcome_Name(result.outcome()));
  if (!result.detail().empty()) absl::StrAppend(&line, " — ", result.detail());
  for (const auto& p : result.processes()) {
    absl::StrAppend(&line, "; ", p.signalled() ? "signalled" : "would signal",
                    " pid ", p.pid(), " (", p.command(), ") mapping ",
                    p.mapping());
  }
  if (result.recovered_file_ranges_size() > 0) {
    absl::StrAppend(&line, "; recovered file bytes ",
                    RangesText(result.recovered_file_ranges()));
  }
  if (result.lost_file_ranges_size() > 0) {
    absl::StrAppend(&line, "; lost file bytes ",
                    RangesText(result.lost_file_ranges()));
  }
  if (a.has_probe() && result.outcome() == mfr::v1::ACTION_OUTCOME_DONE) {
    absl::StrAppend(&line, "; unreadable device bytes: ",
                    result.bad_device_ranges().empty()
                        ? "none"
                        : RangesText(result.bad_device_ranges()));
  }
  if (result.bytes_rewritten() > 0) {
    absl::StrAppend(&line, "; ", result.bytes_rewritten(), " bytes rewritten");
  }
  return line;
}

}  // namespace mfr::controller::recovery
