// Implementation of the mountinfo parser.
#include "agent/topology/mountinfo_parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::topology {
namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

absl::Status LineError(absl::string_view why, absl::string_view line) {
  return absl::InvalidArgumentError(
      absl::StrCat(why, ": \"", line.substr(0, 200), "\""));
}

// Unescapes a path-like field; rejects an escaped NUL, which no kernel
// prints and which would truncate the path in C APIs.
absl::StatusOr<std::string> UnescapePath(absl::string_view field) {
  std::string out = UnescapeMountInfoField(field);
  if (out.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("escaped NUL in a path");
  }
  return out;
}

// Fills the fields before the optional ones: ids, major:minor, root,
// mount point and mount options.
absl::Status ParseHead(const std::vector<absl::string_view>& f,
                       MountInfoEntry* e) {
  absl::StatusOr<uint32_t> id = ParseSysfsUint32(f[0]);
  absl::StatusOr<uint32_t> parent = ParseSysfsUint32(f[1]);
  absl::StatusOr<mfr::v1::DeviceNumber> dev = ParseDevNumber(f[2]);
  if (!id.ok() || !parent.ok() || !dev.ok()) {
    return absl::InvalidArgumentError("bad mount id, parent id or major:minor");
  }
  absl::StatusOr<std::string> root = UnescapePath(f[3]);
  absl::StatusOr<std::string> mount_point = UnescapePath(f[4]);
  if (!root.ok()) return root.status();
  if (!mount_point.ok()) return mount_point.status();
  e->mount_id = *id;
  e->parent_id = *parent;
  e->major = dev->major();
  e->minor = dev->minor();
  e->root = *std::move(root);
  e->mount_point = *std::move(mount_point);
  e->mount_options = std::string(f[5]);
  return absl::OkStatus();
}

}  // namespace

std::string UnescapeMountInfoField(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] <= '3' &&
        IsOctal(field[i + 1]) && IsOctal(field[i + 2]) &&
        IsOctal(field[i + 3])) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 +
                                      (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

absl::StatusOr<MountInfoEntry> ParseMountInfoLine(absl::string_view line) {
  if (line.size() > kMaxMountInfoLineBytes) {
    return LineError("line too long", line);
  }
  // Split on single spaces, keeping empty fields: the kernel prints an empty
  // mount source as nothing, giving "- tmpfs  rw".
  std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
  if (f.size() < 10) return LineError("fewer than 10 fields", line);
  size_t sep = 6;
  while (sep < f.size() && f[sep] != "-") ++sep;
  if (sep + 4 != f.size()) {
    return LineError("no \"-\" followed by exactly 3 fields", line);
  }
  MountInfoEntry e;
  absl::Status head = ParseHead(f, &e);
  if (!head.ok()) return LineError(head.message(), line);
  for (size_t i = 6; i < sep; ++i) e.optional_fields.emplace_back(f[i]);
  e.fs_type = UnescapeMountInfoField(f[sep + 1]);
  absl::StatusOr<std::string> source = UnescapePath(f[sep + 2]);
  if (!source.ok()) return LineError(source.status().message(), line);
  e.source = *std::move(source);
  e.super_options = std::string(f[sep + 3]);
  return e;
}

absl::StatusOr<MountInfoTable> ParseMountInfo(absl::string_view text) {
  if (text.size() > kMaxMountInfoBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mountinfo text of ", text.size(), " bytes exceeds the limit"));
  }
  MountInfoTable table;
  size_t lines = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    if (++lines > kMaxMountInfoLines) {
      return absl::InvalidArgumentError("mountinfo has too many lines");
    }
    absl::StatusOr<MountInfoEntry> entry = ParseMountInfoLine(line);
    if (entry.ok()) {
      table.entries.push_back(*std::move(entry));
      continue;
    }
    if (table.skipped_lines++ == 0) {
      table.first_error = std::string(entry.status().message());
    }
  }
  return table;
}

}  // namespace mfr::agent::topology
