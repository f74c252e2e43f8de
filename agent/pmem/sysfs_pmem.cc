// Implementation of the pmem sysfs reader.
#include "agent/pmem/sysfs_pmem.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "agent/sources/text_scan.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::pmem {
namespace {

// "namespace<region>.<id>" (namespace_devs.c); a region directory also
// holds attributes such as "namespace_seed".
bool IsNamespaceName(absl::string_view name) {
  uint64_t region, id;
  return absl::ConsumePrefix(&name, "namespace") &&
         sources::ConsumeDecimal(&name, &region) &&
         absl::ConsumePrefix(&name, ".") &&
         sources::ConsumeDecimal(&name, &id) && name.empty();
}

std::string DevicePath(absl::string_view name) {
  return absl::StrCat(kNdDevices, "/", name);
}

// An attribute's text; "" when it does not exist.
absl::StatusOr<std::string> Attr(const topology::RootedFs& fs,
                                 const std::string& dir,
                                 absl::string_view name) {
  absl::StatusOr<std::string> text = fs.ReadFile(absl::StrCat(dir, "/", name));
  if (absl::IsNotFound(text.status())) return std::string();
  return text;
}

// The one entry of <dir>/block; "" when there is none.
absl::StatusOr<std::string> BlockDevice(const topology::RootedFs& fs,
                                        const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names =
      fs.ListDir(absl::StrCat(dir, "/block"));
  if (absl::IsNotFound(names.status())) return std::string();
  if (!names.ok()) return names.status();
  if (names->size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, "/block holds ", names->size(), " devices"));
  }
  return names->empty() ? std::string() : names->front();
}

// Reads `names` under `dir` into `outs`, in order.
absl::Status ReadAttrs(const topology::RootedFs& fs, const std::string& dir,
                       std::initializer_list<const char*> names,
                       std::initializer_list<std::string*> outs) {
  auto out = outs.begin();
  for (const char* name : names) {
    absl::StatusOr<std::string> text = Attr(fs, dir, name);
    if (!text.ok()) return text.status();
    **out++ = *std::move(text);
  }
  return absl::OkStatus();
}

// Reads every attribute of one namespace; a seed (size 0) gives nullopt.
absl::StatusOr<std::optional<NamespaceSysfs>> ReadNamespace(
    const topology::RootedFs& fs, const std::string& region,
    const std::string& region_resource, const std::string& name) {
  NamespaceSysfs in;
  in.name = name;
  in.region = region;
  in.region_resource = region_resource;
  const std::string dir = DevicePath(name);
  if (auto s = ReadAttrs(fs, dir, {"size"}, {&in.size}); !s.ok()) return s;
  // A seed has no allocation; its "resource" fails with ENXIO.
  if (topology::TrimSysfsText(in.size) == "0") return std::nullopt;
  if (auto s = ReadAttrs(fs, dir, {"resource", "mode", "holder"},
                         {&in.resource, &in.mode, &in.holder});
      !s.ok()) {
    return s;
  }
  const std::string holder(topology::TrimSysfsText(in.holder));
  const std::string block_dir = holder.empty() ? dir : DevicePath(holder);
  if (absl::StartsWith(holder, "pfn") || absl::StartsWith(holder, "dax")) {
    if (auto s = ReadAttrs(fs, block_dir, {"resource", "size"},
                           {&in.holder_resource, &in.holder_size});
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::string> blockdev = BlockDevice(fs, block_dir);
  if (!blockdev.ok()) return blockdev.status();
  in.blockdev = *std::move(blockdev);
  return in;
}

// The namespaces of one region, appended to `scan`.
void ScanRegion(const topology::RootedFs& fs, const std::string& region,
                const std::string& region_resource, PmemScan* scan) {
  absl::StatusOr<std::vector<std::string>> children =
      fs.ListDir(DevicePath(region));
  if (!children.ok()) {
    scan->errors.push_back(
        absl::StrCat(region, ": ", children.status().message()));
    return;
  }
  for (const std::string& name : *children) {
    if (!IsNamespaceName(name)) continue;
    auto in = ReadNamespace(fs, region, region_resource, name);
    if (!in.ok()) {
      scan->errors.push_back(absl::StrCat(name, ": ", in.status().message()));
      continue;
    }
    if (!in->has_value()) continue;
    absl::StatusOr<PmemNamespace> ns = ParseNamespace(**in);
    if (!ns.ok()) {
      scan->errors.push_back(std::string(ns.status().message()));
      continue;
    }
    scan->namespaces.push_back(*std::move(ns));
  }
}

}  // namespace

absl::StatusOr<PmemScan> ScanPmemNamespaces(const topology::RootedFs& fs) {
  PmemScan scan;
  absl::StatusOr<std::vector<std::string>> names = fs.ListDir(kNdDevices);
  if (absl::IsNotFound(names.status())) return scan;
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (!absl::StartsWith(name, "region")) continue;
    absl::StatusOr<std::string> resource =
        Attr(fs, DevicePath(name), "resource");
    if (!resource.ok()) {
      scan.errors.push_back(
          absl::StrCat(name, ": ", resource.status().message()));
      continue;
    }
    if (topology::TrimSysfsText(*resource).empty()) continue;  // not pmem
    scan.regions.push_back(name);
    ScanRegion(fs, name, *resource, &scan);
  }
  return scan;
}

absl::StatusOr<std::vector<std::string>> ListPmemBlockDevices(
    const topology::RootedFs& fs) {
  absl::StatusOr<std::vector<std::string>> names = fs.ListDir("sys/block");
  if (absl::IsNotFound(names.status())) return std::vector<std::string>();
  if (!names.ok()) return names.status();
  std::vector<std::string> out;
  std::copy_if(
      names->begin(), names->end(), std::back_inserter(out),
      [](const std::string& n) { return absl::StartsWith(n, "pmem"); });
  return out;
}

absl::StatusOr<std::optional<std::vector<sources::ByteSpan>>> ReadBadblocks(
    const topology::RootedFs& fs, const std::string& path) {
  absl::StatusOr<std::string> text =
      fs.ReadFile(path, sources::kMaxBadblocksTextBytes);
  if (absl::IsNotFound(text.status())) return std::nullopt;
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<sources::ByteSpan>> spans =
      sources::ParseBadblocks(*text);
  if (!spans.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", spans.status().message()));
  }
  return std::optional<std::vector<sources::ByteSpan>>(*std::move(spans));
}

}  // namespace mfr::agent::pmem
