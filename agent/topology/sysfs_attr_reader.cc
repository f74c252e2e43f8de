// Implementation of SysfsAttrReader.
#include "agent/topology/sysfs_attr_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::topology {
namespace {

// Prefixes a parse error with the attribute's path.
absl::Status Annotate(const absl::Status& status, absl::string_view path) {
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

}  // namespace

SysfsAttrReader SysfsAttrReader::Sub(absl::string_view subdir) const {
  return SysfsAttrReader(fs_, PathOf(subdir));
}

std::string SysfsAttrReader::PathOf(absl::string_view attr) const {
  return absl::StrCat(dir_, "/", attr);
}

absl::StatusOr<std::optional<std::string>> SysfsAttrReader::RawLine(
    absl::string_view attr) const {
  absl::StatusOr<std::string> text = fs_.ReadFile(PathOf(attr));
  if (absl::IsNotFound(text.status())) return std::nullopt;
  if (!text.ok()) return text.status();
  absl::string_view line = *text;
  absl::ConsumeSuffix(&line, "\n");
  if (line.empty()) return std::nullopt;
  return std::string(line);
}

absl::StatusOr<std::optional<std::string>> SysfsAttrReader::Text(
    absl::string_view attr) const {
  absl::StatusOr<std::optional<std::string>> line = RawLine(attr);
  if (!line.ok() || !line->has_value()) return line;
  absl::string_view trimmed = TrimSysfsText(**line);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

absl::Status SysfsAttrReader::Uint(absl::string_view attr,
                                   uint64_t* out) const {
  absl::StatusOr<std::optional<std::string>> text = Text(attr);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return absl::OkStatus();
  absl::StatusOr<uint64_t> value = ParseSysfsUint(**text);
  if (!value.ok()) return Annotate(value.status(), PathOf(attr));
  *out = *value;
  return absl::OkStatus();
}

absl::Status SysfsAttrReader::Uint32(absl::string_view attr,
                                     uint32_t* out) const {
  absl::StatusOr<std::optional<std::string>> text = Text(attr);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return absl::OkStatus();
  absl::StatusOr<uint32_t> value = ParseSysfsUint32(**text);
  if (!value.ok()) return Annotate(value.status(), PathOf(attr));
  *out = *value;
  return absl::OkStatus();
}

absl::Status SysfsAttrReader::SectorsAsBytes(absl::string_view attr,
                                             uint64_t* out) const {
  uint64_t sectors = 0;
  if (!Exists(attr)) return absl::OkStatus();
  absl::Status status = Uint(attr, &sectors);
  if (!status.ok()) return status;
  absl::StatusOr<uint64_t> bytes = SectorsToBytes(sectors);
  if (!bytes.ok()) return Annotate(bytes.status(), PathOf(attr));
  *out = *bytes;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> SysfsAttrReader::RequiredUint(
    absl::string_view attr) const {
  if (!Exists(attr)) {
    return absl::NotFoundError(absl::StrCat(PathOf(attr), ": missing"));
  }
  uint64_t value = 0;
  absl::Status status = Uint(attr, &value);
  if (!status.ok()) return status;
  return value;
}

absl::StatusOr<std::vector<std::string>> SysfsAttrReader::Names(
    absl::string_view subdir) const {
  absl::StatusOr<std::vector<std::string>> names = fs_.ListDir(PathOf(subdir));
  if (absl::IsNotFound(names.status())) return std::vector<std::string>();
  return names;
}

bool SysfsAttrReader::HasDir(absl::string_view subdir) const {
  return fs_.IsDir(PathOf(subdir));
}

bool SysfsAttrReader::Exists(absl::string_view attr) const {
  absl::StatusOr<std::optional<std::string>> text = RawLine(attr);
  return !text.ok() || text->has_value();
}

}  // namespace mfr::agent::topology
