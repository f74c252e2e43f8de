// Implementation of PmemAddressMap.
#include "agent/pmem/pmem_address_map.h"

namespace mfr::agent::pmem {

std::optional<DeviceSpan> PmemAddressMap::FromPhysical(
    sources::ByteSpan physical) const {
  for (const PmemNamespace& ns : namespaces_) {
    if (!ns.linear()) continue;
    std::optional<sources::ByteSpan> span =
        sources::PhysicalToNamespace(physical, ns.layout);
    if (span.has_value()) return DeviceSpan{ns.blockdev, *span};
  }
  return std::nullopt;
}

std::vector<DeviceSpan> PmemAddressMap::FromRegion(
    const std::string& region,
    const std::vector<sources::ByteSpan>& region_spans) const {
  std::vector<DeviceSpan> out;
  for (const PmemNamespace& ns : namespaces_) {
    if (ns.region != region || !ns.linear()) continue;
    absl::StatusOr<std::vector<sources::ByteSpan>> spans =
        sources::RegionToNamespace(region_spans, ns.layout);
    if (!spans.ok()) continue;  // ParseNamespace validated the layout
    for (const sources::ByteSpan& span : *spans) {
      out.push_back({ns.blockdev, span});
    }
  }
  return out;
}

}  // namespace mfr::agent::pmem
