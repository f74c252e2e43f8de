// How a file's data is mapped, which decides the recovery action
// (DESIGN.md, "Recovery by mapping mode"): DAX -> kill the processes that
// map the damaged range; page cache -> rewrite resident pages, record the
// rest as lost.
//
// MappingModeProbe is the narrow interface; LinuxMappingModeProbe
// (linux_mapping_mode_probe.h) asks the kernel. This header also holds the
// pure decision from collected facts and the test seam.
#ifndef MFR_AGENT_RECOVERY_MAPPING_MODE_H_
#define MFR_AGENT_RECOVERY_MAPPING_MODE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::recovery {

enum class MappingMode { kPageCache, kDax };

const char* MappingModeName(MappingMode mode);

class MappingModeProbe {
 public:
  virtual ~MappingModeProbe() = default;
  // `fd`: an open regular file (borrowed). `path`: the absolute path it
  // was opened by, for messages and for the test seam; implementations
  // that ask the kernel use only `fd`. Errors mean "unknown": the caller
  // must not guess.
  virtual absl::StatusOr<MappingMode> ModeOf(int fd,
                                             absl::string_view path) = 0;
};

// The dax mount option as the kernel shows it (ext4/XFS: "dax" is the
// old spelling of "dax=always").
enum class DaxMountOption { kUnset, kAlways, kNever, kInode };

// Pure: the dax option among comma-separated mount options and super
// options (mountinfo fields 6 and 11); the last one named wins.
DaxMountOption ParseDaxMountOption(absl::string_view mount_options,
                                   absl::string_view super_options);

struct MappingFacts {
  bool statx_knows_dax = false;  // stx_attributes_mask has STATX_ATTR_DAX
  bool statx_dax = false;        // stx_attributes has it
  DaxMountOption mount_dax = DaxMountOption::kUnset;
  bool inode_flag_dax = false;  // FS_XFLAG_DAX (FS_IOC_FSGETXATTR)
};

// Pure. statx is authoritative when it knows (Linux 5.8+: it reports the
// inode's *current* state). Otherwise (older kernels): dax=always -> DAX,
// dax=never -> page cache, else the inode flag decides. Without statx the
// flag may be set on a filesystem whose device cannot do DAX; answering
// DAX then errs toward killing mappers, which is the safe side: a page
// cache rewrite of a DAX file finds nothing cached and protects no one.
MappingMode DecideMappingMode(const MappingFacts& facts);

// TEST SEAM (this machine kind has no pmem): reports DAX for files whose
// path is one of `dax_prefixes` or lies below one (whole path components:
// "/mnt/a" covers "/mnt/a/x", not "/mnt/ab"); asks `otherwise` (may be
// null: page cache) for everything else. The agent exposes it only behind
// a flag whose name says it is for testing.
class PathPrefixDaxProbeForTesting : public MappingModeProbe {
 public:
  PathPrefixDaxProbeForTesting(std::vector<std::string> dax_prefixes,
                               std::unique_ptr<MappingModeProbe> otherwise);
  absl::StatusOr<MappingMode> ModeOf(int fd, absl::string_view path) override;

 private:
  std::vector<std::string> prefixes_;
  std::unique_ptr<MappingModeProbe> otherwise_;
};

// Pure: whether `path` is `prefix` or below it, by whole components.
bool PathIsUnder(absl::string_view path, absl::string_view prefix);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_MAPPING_MODE_H_
