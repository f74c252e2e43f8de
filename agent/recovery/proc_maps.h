// Pure parser for the text of /proc/<pid>/maps (proc(5)).
//
// Each line is
//   start-end perms offset major:minor inode [padding] [path]
//   7f2c4a1b2000-7f2c4a1b4000 r--p 00001000 fd:01 1234567    /usr/lib/a b.so
// start, end, offset, major and minor in hex, inode in decimal. The path is
// everything after the padding: it may contain spaces, is empty for
// anonymous memory, names a pseudo-file ("[heap]", "[stack]") or ends in
// " (deleted)" when the file was unlinked (that suffix is taken off and
// `deleted` set). The kernel escapes only '\n' (as "\012"); it is kept as
// is, since paths are for people and matching uses device and inode.
//
// Errors: a malformed line is skipped and counted, never fatal; text over
// kMaxMapsBytes is InvalidArgument as a whole. Nothing here touches the OS.
#ifndef MFR_AGENT_RECOVERY_PROC_MAPS_H_
#define MFR_AGENT_RECOVERY_PROC_MAPS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"

namespace mfr::agent::recovery {

// A process with ~1M mappings (the default vm.max_map_count is 65530).
inline constexpr size_t kMaxMapsBytes = 128 << 20;
inline constexpr size_t kMaxMapsLineBytes = 8192;

struct MapsEntry {
  uint64_t start = 0;  // virtual addresses, [start, end)
  uint64_t end = 0;
  std::string perms;    // "r-xp", "rw-s", ...
  uint64_t offset = 0;  // file offset of `start`, bytes
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  uint64_t inode = 0;
  std::string path;  // without " (deleted)"
  bool deleted = false;
  std::string line;  // the line as the kernel wrote it

  bool shared() const { return perms.size() == 4 && perms[3] == 's'; }
  // The bytes of the file this mapping covers: [offset, offset + (end -
  // start)). Only meaningful for a file mapping (inode != 0).
  ByteSpan file_span() const { return {offset, end - start}; }
};

struct MapsTable {
  std::vector<MapsEntry> entries;  // well-formed lines, in file order
  int skipped_lines = 0;
  std::string first_error;  // why the first skipped line was rejected
};

// Parses one line (without its "\n"). InvalidArgument if malformed: a
// missing field, a non-hex address/offset/device, a non-decimal inode,
// perms not four characters, end <= start, offset + length overflowing
// 2^64, or a line over kMaxMapsLineBytes.
absl::StatusOr<MapsEntry> ParseMapsLine(absl::string_view line);

// Parses a whole file; blank lines are ignored.
absl::StatusOr<MapsTable> ParseMaps(absl::string_view text);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_PROC_MAPS_H_
