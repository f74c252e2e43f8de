// Implementation of the observation builders.
#include "agent/pmem/observations.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace mfr::agent::pmem {
namespace {

// The namespace whose block device is `device` in `region`, for the origin.
std::string NamespaceOf(const PmemAddressMap& map, const std::string& region,
                        const std::string& device) {
  for (const PmemNamespace& ns : map.namespaces()) {
    if (ns.region == region && ns.blockdev == device) return ns.name;
  }
  return device;
}

}  // namespace

std::vector<Observation> FromRegion(const PmemAddressMap& map,
                                    const std::string& region,
                                    const std::vector<sources::ByteSpan>& spans,
                                    mfr::v1::ErrorSource source,
                                    const std::string& origin) {
  std::map<std::string, std::vector<sources::ByteSpan>> by_device;
  std::vector<std::string> order;
  for (const DeviceSpan& d : map.FromRegion(region, spans)) {
    auto [it, fresh] = by_device.try_emplace(d.device);
    if (fresh) order.push_back(d.device);
    it->second.push_back(d.span);
  }
  std::vector<Observation> out;
  for (const std::string& device : order) {
    out.push_back(
        {device, source,
         absl::StrCat(origin, " via ", NamespaceOf(map, region, device)),
         sources::NormalizeSpans(std::move(by_device[device]))});
  }
  return out;
}

std::vector<std::string> DevicesOfRegion(const PmemAddressMap& map,
                                         const std::string& region) {
  std::vector<std::string> out;
  for (const PmemNamespace& ns : map.namespaces()) {
    if (ns.region == region && ns.linear()) out.push_back(ns.blockdev);
  }
  return out;
}

std::vector<Observation> FromNdctl(
    const PmemAddressMap& map,
    const std::vector<sources::NdctlMediaErrors>& entries) {
  std::vector<Observation> out;
  for (const sources::NdctlMediaErrors& e : entries) {
    const std::string origin = absl::StrCat("ndctl list ", e.dev);
    if (e.region) {
      for (Observation& o : FromRegion(map, e.dev, e.spans,
                                       mfr::v1::ERROR_SOURCE_NDCTL, origin)) {
        out.push_back(std::move(o));
      }
    } else if (!e.blockdev.empty()) {
      out.push_back({e.blockdev, mfr::v1::ERROR_SOURCE_NDCTL, origin,
                     sources::NormalizeSpans(e.spans)});
    }
  }
  return out;
}

}  // namespace mfr::agent::pmem
