#include "agent/recovery/mapping_mode.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace mfr::agent::recovery {
namespace {

void ApplyOptions(absl::string_view options, DaxMountOption* out) {
  for (absl::string_view option : absl::StrSplit(options, ',')) {
    if (option == "dax" || option == "dax=always") {
      *out = DaxMountOption::kAlways;
    } else if (option == "dax=never") {
      *out = DaxMountOption::kNever;
    } else if (option == "dax=inode") {
      *out = DaxMountOption::kInode;
    }
  }
}

}  // namespace

const char* MappingModeName(MappingMode mode) {
  return mode == MappingMode::kDax ? "dax" : "page cache";
}

DaxMountOption ParseDaxMountOption(absl::string_view mount_options,
                                   absl::string_view super_options) {
  DaxMountOption out = DaxMountOption::kUnset;
  ApplyOptions(mount_options, &out);
  ApplyOptions(super_options, &out);
  return out;
}

MappingMode DecideMappingMode(const MappingFacts& facts) {
  if (facts.statx_knows_dax) {
    return facts.statx_dax ? MappingMode::kDax : MappingMode::kPageCache;
  }
  switch (facts.mount_dax) {
    case DaxMountOption::kAlways:
      return MappingMode::kDax;
    case DaxMountOption::kNever:
      return MappingMode::kPageCache;
    default:
      return facts.inode_flag_dax ? MappingMode::kDax : MappingMode::kPageCache;
  }
}

bool PathIsUnder(absl::string_view path, absl::string_view prefix) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty() || !absl::StartsWith(path, prefix)) return false;
  return path.size() == prefix.size() || prefix == "/" ||
         path[prefix.size()] == '/';
}

PathPrefixDaxProbeForTesting::PathPrefixDaxProbeForTesting(
    std::vector<std::string> dax_prefixes,
    std::unique_ptr<MappingModeProbe> otherwise)
    : prefixes_(std::move(dax_prefixes)), otherwise_(std::move(otherwise)) {}

absl::StatusOr<MappingMode> PathPrefixDaxProbeForTesting::ModeOf(
    int fd, absl::string_view path) {
  for (const std::string& prefix : prefixes_) {
    if (PathIsUnder(path, prefix)) return MappingMode::kDax;
  }
  if (otherwise_ == nullptr) return MappingMode::kPageCache;
  return otherwise_->ModeOf(fd, path);
}

}  // namespace mfr::agent::recovery
