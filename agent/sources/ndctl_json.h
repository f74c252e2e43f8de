// Pure parser for the media errors in `ndctl list --media-errors` output
// (also with -R/-N/-B/-u). ndctl (util/json.c) prints one object, an array
// of them, or (older versions, several buses) objects one after the other;
// buses hold "regions", regions hold "namespaces", and any of these
// objects may carry
//   "badblocks":[{"offset":65536,"length":1,"dimms":["nmem0"]}, ...]
// in 512-byte sectors. A region's offsets are relative to the region
// (util_region_badblocks_to_json); a namespace's are relative to the
// namespace's data start, i.e. byte 0 of its block device
// (dev_badblocks_to_json with the pfn/dax "resource"). With -u ndctl prints
// numbers as hex strings ("0x10000"); both forms are accepted.
#ifndef MFR_AGENT_SOURCES_NDCTL_JSON_H_
#define MFR_AGENT_SOURCES_NDCTL_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/sources/pmem_badblocks.h"

namespace mfr::agent::sources {

inline constexpr size_t kMaxNdctlJsonBytes = 16 << 20;

struct NdctlMediaErrors {
  std::string dev;       // "namespace0.0", "region1"
  std::string blockdev;  // "pmem0" (fsdax/raw/sector namespaces), else ""
  std::string mode;      // "fsdax", "devdax", "raw", "sector"; "" for regions
  bool region = false;   // spans are region-relative
  std::vector<ByteSpan> spans;  // bytes, normalized
};

// Every object with a "badblocks" array, depth first in document order.
// InvalidArgument for malformed JSON, a badblocks entry without a numeric
// "offset"/"length", a zero length, an overflowing range, or a "dev" that is
// not a short name; ResourceExhausted past the JSON limits.
absl::StatusOr<std::vector<NdctlMediaErrors>> ParseNdctlMediaErrors(
    absl::string_view json);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_NDCTL_JSON_H_
