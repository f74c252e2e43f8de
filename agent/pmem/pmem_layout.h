// Where each pmem (NVDIMM) namespace lies in physical memory, from the text
// of its sysfs attributes. Pure: the caller reads the files (sysfs_pmem.h).
//
// Attributes, as drivers/nvdimm prints them (all under /sys/bus/nd/devices):
//   regionN/resource         "%#llx\n"  physical start of the region
//   namespaceN.M/resource    "%#llx\n"  physical start of the namespace
//   namespaceN.M/size        "%llu\n"   bytes, whole namespace
//   namespaceN.M/mode        "raw", "memory" (fsdax), "dax" (devdax),
//                            "safe" (sector/BTT)   namespace_devs.c mode_show
//   namespaceN.M/holder      the claiming device, "pfnN.K", "daxN.K",
//                            "bttN.K", or "" (raw)
//   pfnN.K|daxN.K/resource   "%#llx\n"  physical address of the data start:
//                            namespace start + start_pad + info-block dataoff
//   pfnN.K|daxN.K/size       "%llu\n"   data bytes (without start_pad,
//                            end_trunc and dataoff)   pfn_devs.c
// The block device (pmemN, pmemN.M, pmemNs) is the one directory entry
// under the namespace's block/ (raw) or its holder's block/ (fsdax, sector).
//
// A namespace is "linear" when byte B of its block device is physical
// address data_start + B: raw and fsdax (pfn) namespaces. Sector (BTT)
// namespaces remap blocks, and devdax namespaces have no block device, so
// neither can take a region or physical range. Thread-safe (values only).
#ifndef MFR_AGENT_PMEM_PMEM_LAYOUT_H_
#define MFR_AGENT_PMEM_PMEM_LAYOUT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/sources/pmem_badblocks.h"

namespace mfr::agent::pmem {

enum class NamespaceMode { kRaw, kFsdax, kDevdax, kSector };

// The attribute texts of one namespace, as read (trailing "\n" allowed).
// Empty strings stand for absent attributes.
struct NamespaceSysfs {
  std::string name;             // "namespace0.0"
  std::string region;           // "region0"
  std::string region_resource;  // regionN/resource
  std::string resource;         // namespace resource
  std::string size;             // namespace size
  std::string mode;             // namespace mode
  std::string holder;           // namespace holder ("" when raw)
  std::string holder_resource;  // the holder's resource (pfn/dax only)
  std::string holder_size;      // the holder's size (pfn/dax only)
  std::string blockdev;         // the block device's name, "" if none
};

struct PmemNamespace {
  std::string name;      // "namespace0.0"
  std::string region;    // "region0"
  std::string blockdev;  // "pmem0"; "" for devdax
  NamespaceMode mode = NamespaceMode::kRaw;
  // size = bytes from the namespace start to the end of the data area, so
  // an fsdax end_trunc is outside it.
  sources::PmemNamespaceLayout layout;

  // True if block-device byte B is physical address data start + B.
  bool linear() const {
    return !blockdev.empty() &&
           (mode == NamespaceMode::kRaw || mode == NamespaceMode::kFsdax);
  }
};

// A sysfs "%#llx" value: "0x" + hex digits, or "0" (printf's "%#llx" of 0).
// InvalidArgument otherwise (decimal, garbage, overflow).
absl::StatusOr<uint64_t> ParseSysfsHex(absl::string_view text);

// InvalidArgument naming the namespace and the attribute when a value is
// missing or malformed, the mode is unknown, a pfn/dax holder's data start
// lies outside the namespace, or the layout is impossible
// (sources::ValidateLayout).
absl::StatusOr<PmemNamespace> ParseNamespace(const NamespaceSysfs& in);

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_PMEM_LAYOUT_H_
