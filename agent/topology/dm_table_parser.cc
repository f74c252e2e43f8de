// Implementation of the device-mapper table parsers.
#include "agent/topology/dm_table_parser.h"

#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::topology {
namespace {

// Removes and returns the next whitespace-separated token of *rest.
absl::string_view NextToken(absl::string_view* rest) {
  *rest = absl::StripLeadingAsciiWhitespace(*rest);
  size_t end = 0;
  while (end < rest->size() &&
         !absl::ascii_isspace(static_cast<unsigned char>((*rest)[end]))) {
    ++end;
  }
  absl::string_view token = rest->substr(0, end);
  rest->remove_prefix(end);
  return token;
}

// Parses "<start> <length> <type> <args...>" (sectors) into bytes.
absl::StatusOr<mfr::v1::DmTarget> ParseTargetLine(absl::string_view line) {
  absl::string_view rest = line;
  absl::StatusOr<uint64_t> start = ParseSysfsUint(NextToken(&rest));
  absl::StatusOr<uint64_t> length = ParseSysfsUint(NextToken(&rest));
  absl::string_view type = NextToken(&rest);
  if (!start.ok() || !length.ok() || type.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not \"<start> <length> <type> <args>\": ", line));
  }
  absl::StatusOr<uint64_t> start_bytes = SectorsToBytes(*start);
  absl::StatusOr<uint64_t> length_bytes = SectorsToBytes(*length);
  if (!start_bytes.ok()) return start_bytes.status();
  if (!length_bytes.ok()) return length_bytes.status();
  if (*length == 0) {
    return absl::InvalidArgumentError(absl::StrCat("zero length: ", line));
  }
  mfr::v1::DmTarget target;
  target.set_start_bytes(*start_bytes);
  target.set_length_bytes(*length_bytes);
  target.set_type(std::string(type));
  target.set_args(std::string(absl::StripAsciiWhitespace(rest)));
  return target;
}

}  // namespace

absl::StatusOr<std::vector<mfr::v1::DmTarget>> ParseDmTable(
    absl::string_view text) {
  if (text.size() > kMaxDmTableBytes) {
    return absl::InvalidArgumentError("dm table text too large");
  }
  std::vector<mfr::v1::DmTarget> targets;
  uint64_t next_start = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    absl::StatusOr<mfr::v1::DmTarget> target = ParseTargetLine(line);
    if (!target.ok()) return target.status();
    // The kernel only loads tables whose targets adjoin from sector 0.
    if (target->start_bytes() != next_start) {
      return absl::InvalidArgumentError(
          absl::StrCat("gap or overlap before: ", line));
    }
    if (target->length_bytes() >
        std::numeric_limits<uint64_t>::max() - next_start) {
      return absl::InvalidArgumentError(absl::StrCat("overflow: ", line));
    }
    next_start += target->length_bytes();
    targets.push_back(*std::move(target));
  }
  return targets;
}

absl::StatusOr<std::map<std::string, std::vector<mfr::v1::DmTarget>>>
ParseDmsetupTables(absl::string_view text) {
  if (text.size() > kMaxDmTableBytes) {
    return absl::InvalidArgumentError("dmsetup table text too large");
  }
  // Group the lines by device name, keeping their order.
  std::map<std::string, std::string> lines_by_name;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line == "No devices found") continue;
    size_t sep = line.find(": ");
    if (sep == 0 || sep == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("not \"NAME: <table line>\": ", line));
    }
    absl::StrAppend(&lines_by_name[std::string(line.substr(0, sep))],
                    line.substr(sep + 2), "\n");
  }
  std::map<std::string, std::vector<mfr::v1::DmTarget>> tables;
  for (const auto& [name, lines] : lines_by_name) {
    absl::StatusOr<std::vector<mfr::v1::DmTarget>> table = ParseDmTable(lines);
    if (!table.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("dm device ", name, ": ", table.status().message()));
    }
    tables[name] = *std::move(table);
  }
  return tables;
}

}  // namespace mfr::agent::topology
