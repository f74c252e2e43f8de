// PmemAddressMap: which pmem block device a physical address or a
// region-relative range lands on, over the namespaces discovered at agent
// start (and refreshed by the pmem watcher).
//
// Only linear namespaces (raw, fsdax: pmem_layout.h) take ranges. A range
// that touches no namespace's data area (ordinary DRAM, a namespace's info
// block or memmap reservation, a devdax or sector namespace, free region
// space) lands nowhere. Ranges are clipped to the data area they touch;
// units are bytes. Pure; thread-compatible (a value: copy or replace it
// whole, from one thread at a time).
#ifndef MFR_AGENT_PMEM_PMEM_ADDRESS_MAP_H_
#define MFR_AGENT_PMEM_PMEM_ADDRESS_MAP_H_

#include <optional>
#include <string>
#include <vector>

#include "agent/pmem/pmem_layout.h"
#include "agent/sources/pmem_badblocks.h"

namespace mfr::agent::pmem {

// A range on a pmem block device.
struct DeviceSpan {
  std::string device;  // "pmem0"
  sources::ByteSpan span;
  bool operator==(const DeviceSpan& o) const {
    return device == o.device && span == o.span;
  }
};

class PmemAddressMap {
 public:
  PmemAddressMap() = default;
  explicit PmemAddressMap(std::vector<PmemNamespace> namespaces)
      : namespaces_(std::move(namespaces)) {}

  // The block-device range a physical range lands on (a memory-failure
  // page: PfnToNamespace; an MCE/GHES cache line: PhysicalToNamespace), or
  // nullopt. Namespaces never overlap, so at most one takes it.
  std::optional<DeviceSpan> FromPhysical(sources::ByteSpan physical) const;

  // Spans of `region`'s badblocks (region-relative) on each linear
  // namespace of that region that they touch, normalized per device, in
  // namespace order. Parts that land nowhere are dropped.
  std::vector<DeviceSpan> FromRegion(
      const std::string& region,
      const std::vector<sources::ByteSpan>& region_spans) const;

  const std::vector<PmemNamespace>& namespaces() const { return namespaces_; }

 private:
  std::vector<PmemNamespace> namespaces_;
};

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_PMEM_ADDRESS_MAP_H_
