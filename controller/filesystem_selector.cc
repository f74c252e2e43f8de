#include "controller/filesystem_selector.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mfr::controller {

absl::StatusOr<const mfr::internal::FilesystemRecord*> SelectFilesystem(
    const std::string& host,
    const std::vector<mfr::internal::FilesystemRecord>& filesystems,
    const FilesystemTarget& target) {
  if (target.device.empty() == target.filesystem.empty()) {
    return absl::InvalidArgumentError(
        "name exactly one of a device or a filesystem (uuid or mount point)");
  }
  for (const auto& fs : filesystems) {
    const bool match = target.device.empty()
                           ? (fs.fs_uuid() == target.filesystem ||
                              fs.mount_point() == target.filesystem)
                           : fs.device() == target.device;
    if (match) return &fs;
  }
  std::vector<std::string> known;
  known.reserve(filesystems.size());
  for (const auto& fs : filesystems) {
    known.push_back(absl::StrCat(fs.device(), " ", fs.mount_point(),
                                 fs.fs_uuid().empty() ? "" : " ",
                                 fs.fs_uuid()));
  }
  const std::string what =
      target.device.empty()
          ? absl::StrCat("filesystem \"", target.filesystem, "\"")
          : absl::StrCat("device \"", target.device, "\"");
  return absl::NotFoundError(
      absl::StrCat("host \"", host, "\" has no snapshotted filesystem on ",
                   what, known.empty() ? " (it has none)" : "; known: ",
                   absl::StrJoin(known, ", ")));
}

}  // namespace mfr::controller
