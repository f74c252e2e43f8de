// Pure parsers for device-mapper tables as printed by `dmsetup table`.
//
// One device's table (`dmsetup table NAME`) is one line per target:
//   <start_sector> <num_sectors> <target_type> <args...>
// e.g. "0 2097152 linear 8:17 2048". Sectors are 512 bytes; DmTarget holds
// bytes. `dmsetup table` without a name prefixes each line with "NAME: "
// and prints "No devices found" when there are none.
//
// Errors: a malformed line (too few fields, non-numeric or overflowing
// numbers, zero length, targets that are not contiguous from sector 0) makes
// the whole table InvalidArgument: a half-parsed table would translate
// ranges wrongly. Inputs over kMaxDmTableBytes are InvalidArgument. Empty
// and blank lines are ignored.
#ifndef MFR_AGENT_TOPOLOGY_DM_TABLE_PARSER_H_
#define MFR_AGENT_TOPOLOGY_DM_TABLE_PARSER_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

inline constexpr size_t kMaxDmTableBytes = 4 << 20;

// Parses one device's table.
absl::StatusOr<std::vector<mfr::v1::DmTarget>> ParseDmTable(
    absl::string_view text);

// Parses the output of `dmsetup table` for all devices into
// dm name -> targets. A device whose lines are malformed fails the whole
// call, naming the device.
absl::StatusOr<std::map<std::string, std::vector<mfr::v1::DmTarget>>>
ParseDmsetupTables(absl::string_view text);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_DM_TABLE_PARSER_H_
