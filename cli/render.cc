#include "cli/render.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/metric_labels.h"
#include "common/proto_time.h"

namespace mfr::cli {
namespace {

// "LOG" from METADATA_KIND_LOG, lower-cased with spaces.
std::string EnumWord(const std::string& name, const std::string& prefix) {
  std::string word = name.substr(std::min(prefix.size(), name.size()));
  word = absl::StrReplaceAll(word, {{"_", " "}});
  absl::AsciiStrToLower(&word);
  return word;
}

std::string Range(const mfr::v1::ByteRange& r) {
  return absl::StrCat(r.offset_bytes(), "..",
                      r.offset_bytes() + r.length_bytes());
}

std::string Ranges(
    const google::protobuf::RepeatedPtrField<mfr::v1::ByteRange>& ranges) {
  if (ranges.empty()) return "-";
  std::vector<std::string> parts;
  for (const auto& r : ranges) parts.push_back(Range(r));
  return absl::StrJoin(parts, ",");
}

std::string OutcomeName(mfr::v1::ActionOutcome outcome) {
  return EnumWord(mfr::v1::ActionOutcome_Name(outcome), "ACTION_OUTCOME_");
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", FromProtoTime(t),
                          absl::UTCTimeZone());
}

}  // namespace

std::string RenderTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string OwnerKindName(const mfr::v1::OwnerExtent& owner) {
  std::string kind =
      EnumWord(mfr::v1::OwnerKind_Name(owner.kind()), "OWNER_KIND_");
  if (owner.kind() == mfr::v1::OWNER_KIND_METADATA) {
    absl::StrAppend(&kind, " (",
                    EnumWord(mfr::v1::MetadataKind_Name(owner.metadata_kind()),
                             "METADATA_KIND_"),
                    ")");
  }
  if (owner.unwritten()) absl::StrAppend(&kind, ", unwritten");
  return kind;
}

std::string RenderQueryRange(const mfr::v1::QueryRangeResponse& r) {
  std::string out = absl::StrCat(
      "host ", r.host(), "  device ", r.device(), "  filesystem ",
      r.mount_point(),
      r.fs_uuid().empty() ? "" : absl::StrCat(" (uuid ", r.fs_uuid(), ")"),
      "\nsnapshot generation ", r.snapshot_generation(), ", taken ",
      Time(r.snapshot_taken()), "\n\n");
  std::vector<std::vector<std::string>> rows = {
      {"DEVICE BYTES", "OWNER", "INODE", "FILE BYTES", "SHARED", "PATHS"}};
  for (const auto& o : r.owners()) {
    rows.push_back({Range(o.device_range()), OwnerKindName(o),
                    o.inode() == 0 ? "-" : absl::StrCat(o.inode()),
                    o.has_file_range() ? Range(o.file_range()) : "-",
                    o.shared() ? "yes" : "no",
                    o.paths().empty() ? "-" : absl::StrJoin(o.paths(), ", ")});
  }
  return out + RenderTable(rows);
}

std::string RenderHosts(const mfr::v1::ListHostsResponse& r) {
  std::vector<std::vector<std::string>> rows = {
      {"HOST", "LAST SEEN", "FILESYSTEM", "DEVICE", "TYPE", "SNAPSHOT AGE",
       "RECORDS", "SEGMENTS", "INODES"}};
  for (const auto& h : r.hosts()) {
    if (h.filesystems().empty()) {
      rows.push_back(
          {h.host(), Time(h.last_seen()), "-", "-", "-", "-", "-", "-", "-"});
    }
    for (const auto& f : h.filesystems()) {
      rows.push_back(
          {h.host(), Time(h.last_seen()), f.mount_point(), f.device(),
           f.fs_type(),
           f.snapshot_generation() == 0
               ? "none"
               : absl::StrCat(static_cast<int64_t>(f.snapshot_age_seconds()),
                              "s"),
           absl::StrCat(f.records()), absl::StrCat(f.segments()),
           absl::StrCat(f.inodes())});
    }
  }
  return RenderTable(rows);
}

std::string StateName(mfr::v1::IncidentState state) {
  return EnumWord(mfr::v1::IncidentState_Name(state), "INCIDENT_STATE_");
}

std::optional<mfr::v1::IncidentState> ParseState(const std::string& name) {
  std::string upper = absl::AsciiStrToUpper(name);
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &upper);
  mfr::v1::IncidentState state;
  if (upper.empty() ||
      !mfr::v1::IncidentState_Parse("INCIDENT_STATE_" + upper, &state) ||
      state == mfr::v1::INCIDENT_STATE_UNSPECIFIED) {
    return std::nullopt;
  }
  return state;
}

namespace {

int FileOwners(const mfr::v1::Incident& incident) {
  int n = 0;
  for (const auto& o : incident.owners()) {
    n += o.kind() == mfr::v1::OWNER_KIND_FILE_DATA ||
         o.kind() == mfr::v1::OWNER_KIND_FILE_ATTR_FORK;
  }
  return n;
}

std::string SeverityName(mfr::v1::Severity s) {
  return EnumWord(mfr::v1::Severity_Name(s), "SEVERITY_");
}

}  // namespace

std::string RenderIncidents(const mfr::v1::ListIncidentsResponse& r) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "HOST", "DEVICE", "DEVICE BYTES", "STATE", "SEVERITY", "FILES",
       "UPDATED"}};
  for (const auto& i : r.incidents()) {
    rows.push_back({i.id(), i.host(), i.device(), Range(i.range()),
                    StateName(i.state()), SeverityName(i.severity()),
                    absl::StrCat(FileOwners(i)), Time(i.updated())});
  }
  std::string out = RenderTable(rows);
  if (!r.next_page_token().empty()) {
    absl::StrAppend(&out, "(more: --page-token=", r.next_page_token(), ")\n");
  }
  return out;
}

std::string RenderIncident(const mfr::v1::Incident& i) {
  std::string out = absl::StrCat(
      "incident ", i.id(), "  host ", i.host(), "  device ", i.device(),
      " bytes ", Range(i.range()), "\nstate ", StateName(i.state()),
      ", severity ", SeverityName(i.severity()), ", created ",
      Time(i.created()), ", updated ", Time(i.updated()),
      "\nreports: ", absl::StrJoin(i.report_ids(), ", "), "\n\ntranslation:\n");
  for (const auto& step : i.chain()) {
    absl::StrAppend(&out, "  ", step.device(), " ", Range(step.range()),
                    step.note().empty() ? "" : "  (" + step.note() + ")", "\n");
  }
  std::vector<std::vector<std::string>> rows = {
      {"FILESYSTEM", "DEVICE BYTES", "OWNER", "INODE", "FILE BYTES", "SHARED",
       "PATHS", "STATE", "LOST FILE BYTES"}};
  for (const auto& o : i.owners()) {
    rows.push_back({o.mount_point().empty() ? "-" : o.mount_point(),
                    Range(o.device_range()), OwnerKindName(o),
                    o.inode() == 0 ? "-" : absl::StrCat(o.inode()),
                    o.has_file_range() ? Range(o.file_range()) : "-",
                    o.shared() ? "yes" : "no",
                    o.paths().empty() ? "-" : absl::StrJoin(o.paths(), ", "),
                    StateName(o.state()), Ranges(o.lost_file_ranges())});
  }
  absl::StrAppend(&out, "\nowners:\n", RenderTable(rows));
  if (i.actions_size() > 0) {
    std::vector<std::vector<std::string>> actions = {
        {"ACTION", "KIND", "DRY RUN", "OUTCOME", "DETAIL"}};
    for (const auto& r : i.actions()) {
      actions.push_back(
          {r.action().id(), ActionLabel(r.action()),
           r.action().dry_run() ? "yes" : "no",
           r.has_result() ? OutcomeName(r.result().outcome()) : "pending",
           r.result().detail().empty() ? "-" : r.result().detail()});
    }
    absl::StrAppend(&out, "\nactions:\n", RenderTable(actions));
  }
  if (!i.resolution().empty()) {
    absl::StrAppend(&out, "\nresolution: ", i.resolution(), "\n");
  }
  absl::StrAppend(&out, "\naudit:\n");
  for (const auto& line : i.audit()) absl::StrAppend(&out, "  ", line, "\n");
  return out;
}

std::string RenderAffectedFiles(const mfr::v1::ListAffectedFilesResponse& r) {
  std::vector<std::vector<std::string>> rows = {
      {"HOST", "FILESYSTEM", "PATHS", "FILE BYTES", "STATE", "LOST FILE BYTES",
       "INCIDENT"}};
  for (const auto& f : r.files()) {
    rows.push_back({f.host(), f.mount_point(), absl::StrJoin(f.paths(), ", "),
                    Range(f.file_range()), StateName(f.state()),
                    Ranges(f.lost_file_ranges()), f.incident_id()});
  }
  std::string out = RenderTable(rows);
  if (!r.next_page_token().empty()) {
    absl::StrAppend(&out, "(more: --page-token=", r.next_page_token(), ")\n");
  }
  return out;
}

std::string RenderIncidentLine(const mfr::v1::Incident& i) {
  return absl::StrCat(Time(i.updated()), "  ", i.id(), "  ", i.host(), "  ",
                      i.device(), " ", Range(i.range()), "  ",
                      StateName(i.state()), "  ", SeverityName(i.severity()),
                      "  ", FileOwners(i), " file owner(s)\n");
}

}  // namespace mfr::cli
