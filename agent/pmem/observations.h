// One poll of the pmem sources as per-device observations: what each source
// says is bad on which pmem block device, in bytes on that device. Pure
// builders; the I/O that reads the sources is in pmem_watcher.cc.
//
// Sources (DESIGN.md "Sources on a host"):
//   /sys/block/pmemN/badblocks             already block-device relative
//   /sys/bus/nd/devices/regionN/badblocks  region relative: translated
//                                          through PmemAddressMap::FromRegion
//   ndctl list --media-errors              region entries translated the
//                                          same way; namespace entries are
//                                          relative to the block device
// A source that could not be read makes its devices "incomplete" for the
// poll: their absent ranges must not be taken as cleared.
#ifndef MFR_AGENT_PMEM_OBSERVATIONS_H_
#define MFR_AGENT_PMEM_OBSERVATIONS_H_

#include <set>
#include <string>
#include <vector>

#include "agent/pmem/pmem_address_map.h"
#include "agent/sources/ndctl_json.h"
#include "agent/sources/pmem_badblocks.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::pmem {

struct Observation {
  std::string device;  // "pmem0"
  mfr::v1::ErrorSource source = mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS;
  std::string origin;  // where it was read, e.g. "/sys/block/pmem0/badblocks"
  std::vector<sources::ByteSpan> spans;  // normalized, bytes on `device`
};

struct PollObservations {
  std::vector<Observation> observations;  // in source order
  std::set<std::string> incomplete;       // devices a failed source covers
  bool all_incomplete = false;            // a source covering every device
                                          // failed (ndctl)
  std::vector<std::string> errors;        // why, one line per failed source

  bool IsIncomplete(const std::string& device) const {
    return all_incomplete || incomplete.count(device) > 0;
  }
};

// A region's badblocks on the devices they land on: one observation per
// device, origin "<origin> via <namespace>".
std::vector<Observation> FromRegion(const PmemAddressMap& map,
                                    const std::string& region,
                                    const std::vector<sources::ByteSpan>& spans,
                                    mfr::v1::ErrorSource source,
                                    const std::string& origin);

// The block devices of `region`'s linear namespaces.
std::vector<std::string> DevicesOfRegion(const PmemAddressMap& map,
                                         const std::string& region);

// ndctl's media errors as observations (source NDCTL): region entries via
// FromRegion, namespace entries with a block device as they are; entries of
// devdax namespaces (no block device) are dropped.
std::vector<Observation> FromNdctl(
    const PmemAddressMap& map,
    const std::vector<sources::NdctlMediaErrors>& entries);

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_OBSERVATIONS_H_
