#include "cli/render.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
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

}  // namespace mfr::cli
