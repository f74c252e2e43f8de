// /proc/<pid>/maps parsing: five space-separated fields, padding, a path.
#include "agent/recovery/proc_maps.h"

#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mfr::agent::recovery {
namespace {

constexpr absl::string_view kDeletedSuffix = " (deleted)";

absl::Status LineError(absl::string_view why, absl::string_view line) {
  return absl::InvalidArgumentError(
      absl::StrCat(why, ": \"", line.substr(0, 200), "\""));
}

// Takes the text up to the next ' ' off `rest`; empty if there is none.
absl::string_view NextField(absl::string_view* rest) {
  const size_t space = rest->find(' ');
  if (space == absl::string_view::npos) {
    absl::string_view field = *rest;
    *rest = absl::string_view();
    return field;
  }
  absl::string_view field = rest->substr(0, space);
  rest->remove_prefix(space + 1);
  return field;
}

bool ParseHex64(absl::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 16) return false;
  return absl::SimpleHexAtoi(text, out) && text[0] != '+' && text[0] != '-';
}

bool ParseDevice(absl::string_view text, MapsEntry* e) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits(':', 1));
  uint64_t major = 0;
  uint64_t minor = 0;
  if (!ParseHex64(parts.first, &major) || !ParseHex64(parts.second, &minor) ||
      major > 0xfff || minor > 0xfffff) {
    return false;
  }
  e->dev_major = static_cast<uint32_t>(major);
  e->dev_minor = static_cast<uint32_t>(minor);
  return true;
}

bool ParseAddresses(absl::string_view text, MapsEntry* e) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits('-', 1));
  return ParseHex64(parts.first, &e->start) &&
         ParseHex64(parts.second, &e->end);
}

bool ValidPerms(absl::string_view p) {
  return p.size() == 4 && (p[0] == 'r' || p[0] == '-') &&
         (p[1] == 'w' || p[1] == '-') && (p[2] == 'x' || p[2] == '-') &&
         (p[3] == 'p' || p[3] == 's');
}

// The path after the padding, with " (deleted)" taken off.
void SetPath(absl::string_view rest, MapsEntry* e) {
  const size_t first = rest.find_first_not_of(' ');
  rest = first == absl::string_view::npos ? absl::string_view()
                                          : rest.substr(first);
  if (absl::EndsWith(rest, kDeletedSuffix) &&
      rest.size() > kDeletedSuffix.size()) {
    rest.remove_suffix(kDeletedSuffix.size());
    e->deleted = true;
  }
  e->path = std::string(rest);
}

}  // namespace

absl::StatusOr<MapsEntry> ParseMapsLine(absl::string_view line) {
  if (line.size() > kMaxMapsLineBytes) return LineError("line too long", line);
  MapsEntry e;
  absl::string_view rest = line;
  if (!ParseAddresses(NextField(&rest), &e) || e.end <= e.start) {
    return LineError("bad address range", line);
  }
  absl::string_view perms = NextField(&rest);
  if (!ValidPerms(perms)) return LineError("bad permissions", line);
  e.perms = std::string(perms);
  if (!ParseHex64(NextField(&rest), &e.offset)) {
    return LineError("bad offset", line);
  }
  if (e.offset > std::numeric_limits<uint64_t>::max() - (e.end - e.start)) {
    return LineError("offset + length overflows", line);
  }
  if (!ParseDevice(NextField(&rest), &e)) return LineError("bad device", line);
  absl::string_view inode = NextField(&rest);
  if (inode.empty() || inode[0] == '+' || inode[0] == '-' ||
      !absl::SimpleAtoi(inode, &e.inode)) {
    return LineError("bad inode", line);
  }
  SetPath(rest, &e);
  e.line = std::string(line);
  return e;
}

absl::StatusOr<MapsTable> ParseMaps(absl::string_view text) {
  if (text.size() > kMaxMapsBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("maps text of ", text.size(), " bytes is over the limit"));
  }
  MapsTable table;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty()) continue;
    absl::StatusOr<MapsEntry> entry = ParseMapsLine(line);
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

}  // namespace mfr::agent::recovery
