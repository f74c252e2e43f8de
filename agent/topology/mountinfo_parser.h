// Pure parser for the text of /proc/<pid>/mountinfo (proc(5)).
//
// Each line is:
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root
//   rw,errors=continue (1)(2)(3)   (4)   (5)      (6)       (7)   (8) (9) (10)
//   (11)
// mount id, parent id, major:minor, root, mount point, mount options,
// zero or more optional fields, "-", fs type, source, super options.
// The kernel escapes space, tab, newline and backslash in root, mount point
// and source as octal "\ooo" (e.g. "\040"); they are unescaped here.
//
// Errors: a malformed line is skipped and counted, never fatal; text over
// kMaxMountInfoBytes (or with more than kMaxMountInfoLines lines) is
// InvalidArgument as a whole. Nothing here touches the OS.
#ifndef MFR_AGENT_TOPOLOGY_MOUNTINFO_PARSER_H_
#define MFR_AGENT_TOPOLOGY_MOUNTINFO_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::topology {

inline constexpr size_t kMaxMountInfoBytes = 16 << 20;
inline constexpr size_t kMaxMountInfoLines = 100000;
inline constexpr size_t kMaxMountInfoLineBytes = 16 * 1024;

// One mountinfo line, unescaped.
struct MountInfoEntry {
  uint32_t mount_id = 0;
  uint32_t parent_id = 0;
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string root;         // path of the mount's root inside its fs
  std::string mount_point;  // relative to the process's root
  std::string mount_options;
  std::vector<std::string> optional_fields;  // e.g. "shared:1", "master:2"
  std::string fs_type;                       // e.g. "ext4", "fuse.sshfs"
  std::string source;                        // e.g. "/dev/vda", "none"
  std::string super_options;
};

// All well-formed lines, in file order, and what was skipped.
struct MountInfoTable {
  std::vector<MountInfoEntry> entries;
  int skipped_lines = 0;
  std::string first_error;  // why the first skipped line was rejected
};

// Parses one line (without its "\n"). InvalidArgument if malformed: fewer
// than 10 fields, no "-" separator, non-numeric ids or major:minor, a field
// after "-" missing, an escaped NUL, or a line over kMaxMountInfoLineBytes.
absl::StatusOr<MountInfoEntry> ParseMountInfoLine(absl::string_view line);

// Parses a whole file; blank lines are ignored.
absl::StatusOr<MountInfoTable> ParseMountInfo(absl::string_view text);

// Replaces each "\ooo" (three octal digits, value <= 0377) with its byte;
// any other backslash is kept as is.
std::string UnescapeMountInfoField(absl::string_view field);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_MOUNTINFO_PARSER_H_
