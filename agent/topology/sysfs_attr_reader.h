// SysfsAttrReader: typed reads of the attribute files of one sysfs
// directory (e.g. "sys/class/block/sdb") through a RootedFs.
//
// Contract, for every method: an attribute that does not exist, or whose
// text is empty/blank, is "absent" and leaves the output untouched with an
// OK status; a present attribute that does not parse is InvalidArgument
// naming the attribute; other I/O errors are passed through. Used only
// inside agent/topology; holds a reference to the RootedFs, which must
// outlive it.
#ifndef MFR_AGENT_TOPOLOGY_SYSFS_ATTR_READER_H_
#define MFR_AGENT_TOPOLOGY_SYSFS_ATTR_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/topology/rooted_fs.h"

namespace mfr::agent::topology {

class SysfsAttrReader {
 public:
  SysfsAttrReader(const RootedFs& fs, std::string dir)
      : fs_(fs), dir_(std::move(dir)) {}

  // A reader for a subdirectory, e.g. Sub("md/dev-sdb1").
  SysfsAttrReader Sub(absl::string_view subdir) const;

  // Attribute text with surrounding whitespace trimmed; nullopt if absent.
  absl::StatusOr<std::optional<std::string>> Text(absl::string_view attr) const;
  // Attribute text with only the one trailing "\n" removed (paths may end in
  // spaces); nullopt if absent or empty.
  absl::StatusOr<std::optional<std::string>> RawLine(
      absl::string_view attr) const;

  absl::Status Uint(absl::string_view attr, uint64_t* out) const;
  absl::Status Uint32(absl::string_view attr, uint32_t* out) const;
  // A sector count converted to bytes.
  absl::Status SectorsAsBytes(absl::string_view attr, uint64_t* out) const;
  // Like Uint but absent is NotFound.
  absl::StatusOr<uint64_t> RequiredUint(absl::string_view attr) const;

  // Entry names of a subdirectory; empty if it does not exist.
  absl::StatusOr<std::vector<std::string>> Names(
      absl::string_view subdir) const;

  bool HasDir(absl::string_view subdir) const;
  bool Exists(absl::string_view attr) const;

  // "<dir>/<attr>".
  std::string PathOf(absl::string_view attr) const;

 private:
  const RootedFs& fs_;
  std::string dir_;
};

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_SYSFS_ATTR_READER_H_
