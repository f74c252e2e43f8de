// Picks the filesystem a query names: by kernel device name ("loop0"), or
// by filesystem uuid or mount point. Pure.
#ifndef MFR_CONTROLLER_FILESYSTEM_SELECTOR_H_
#define MFR_CONTROLLER_FILESYSTEM_SELECTOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mfr/internal/storage.pb.h"

namespace mfr::controller {

struct FilesystemTarget {
  std::string device;      // kernel device name, or
  std::string filesystem;  // fs uuid or mount point
};

// The match (an element of `filesystems`); NotFound (naming what is known)
// when nothing matches; InvalidArgument when the target is empty. A device
// carrying several snapshotted mounts (bind mounts) resolves to the first,
// which has the same reverse map.
absl::StatusOr<const mfr::internal::FilesystemRecord*> SelectFilesystem(
    const std::string& host,
    const std::vector<mfr::internal::FilesystemRecord>& filesystems,
    const FilesystemTarget& target);

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_FILESYSTEM_SELECTOR_H_
