// The thin sysfs shell of pmem discovery: reads, through a RootedFs (so a
// recorded tree can stand in for /sys), the attributes pmem_layout.h parses
// and the badblocks files the watcher polls. Layout read, relative to the
// root (drivers/nvdimm: region_devs.c, namespace_devs.c, pfn_devs.c;
// Documentation/driver-api/nvdimm/nvdimm.rst):
//   sys/bus/nd/devices/regionN/{resource,badblocks}
//   sys/bus/nd/devices/regionN/namespaceN.M/{size,resource,mode,holder}
//   sys/bus/nd/devices/namespaceN.M/block/<blockdev>     raw mode
//   sys/bus/nd/devices/<holder>/{resource,size,block/<blockdev>}
//   sys/block/pmem*/badblocks
// Entries may be symlinks (as on a live system) or plain directories.
//
// Errors: a host without an nd bus (no sys/bus/nd/devices) has no
// namespaces, not an error; only an unreadable device list fails the scan.
// A region that is not pmem (no "resource") is skipped; seed namespaces
// (size 0) are skipped; a namespace that cannot be read or parsed is left
// out and named in `errors` (a wrong layout would translate ranges onto
// the wrong bytes). Reads only; thread-compatible.
#ifndef MFR_AGENT_PMEM_SYSFS_PMEM_H_
#define MFR_AGENT_PMEM_SYSFS_PMEM_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/pmem/pmem_layout.h"
#include "agent/sources/pmem_badblocks.h"
#include "agent/topology/rooted_fs.h"

namespace mfr::agent::pmem {

inline constexpr char kNdDevices[] = "sys/bus/nd/devices";

struct PmemScan {
  std::vector<std::string> regions;       // pmem regions, sorted
  std::vector<PmemNamespace> namespaces;  // sorted by region, then name
  std::vector<std::string> errors;        // "<name>: why it was left out"
};

absl::StatusOr<PmemScan> ScanPmemNamespaces(const topology::RootedFs& fs);

// The names under sys/block that start with "pmem" (pmem block devices:
// pmemN, pmemN.M, pmemNs); empty when sys/block does not exist.
absl::StatusOr<std::vector<std::string>> ListPmemBlockDevices(
    const topology::RootedFs& fs);

// A badblocks file parsed (sources::ParseBadblocks), or nullopt when it
// does not exist. InvalidArgument for malformed text (never a partial list).
absl::StatusOr<std::optional<std::vector<sources::ByteSpan>>> ReadBadblocks(
    const topology::RootedFs& fs, const std::string& path);

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_SYSFS_PMEM_H_
