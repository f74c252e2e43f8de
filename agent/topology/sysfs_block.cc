// Implementation of the sysfs block-device scan.
#include "agent/topology/sysfs_block.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/topology/sysfs_attr_reader.h"
#include "agent/topology/sysfs_layers.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::topology {
namespace {

constexpr char kClassBlock[] = "sys/class/block";

// Attributes that may hold a stable id, most specific first.
constexpr const char* kStableIdAttrs[] = {"wwid", "device/wwid", "serial",
                                          "device/serial", "device/uuid"};

// A device as read, plus what the scan needs to finish a partition.
struct RawDevice {
  mfr::v1::BlockDevice device;
  // dev of the directory the partition lives in, when the tree has the
  // kernel's nested layout (class/block/sdb1 -> .../block/sdb/sdb1).
  std::optional<mfr::v1::DeviceNumber> dir_parent_dev;
};

std::string DevKey(const mfr::v1::DeviceNumber& dev) {
  return absl::StrCat(dev.major(), ":", dev.minor());
}

absl::Status ReadCommon(const SysfsAttrReader& dir, mfr::v1::BlockDevice* d) {
  absl::StatusOr<std::optional<std::string>> dev = dir.Text("dev");
  if (!dev.ok()) return dev.status();
  if (!dev->has_value()) return absl::NotFoundError("dev: missing");
  absl::StatusOr<mfr::v1::DeviceNumber> number = ParseDevNumber(**dev);
  if (!number.ok()) return number.status();
  *d->mutable_dev() = *number;
  absl::StatusOr<uint64_t> sectors = dir.RequiredUint("size");
  if (!sectors.ok()) return sectors.status();
  absl::StatusOr<uint64_t> bytes = SectorsToBytes(*sectors);
  if (!bytes.ok()) return bytes.status();
  d->set_size_bytes(*bytes);
  uint32_t logical = 0, physical = 0;
  absl::Status status = dir.Uint32("queue/logical_block_size", &logical);
  if (status.ok()) status = dir.Uint32("queue/physical_block_size", &physical);
  if (!status.ok()) return status;
  d->set_logical_block_size_bytes(logical);
  d->set_physical_block_size_bytes(physical);
  return absl::OkStatus();
}

absl::Status ReadLinks(const SysfsAttrReader& dir, mfr::v1::BlockDevice* d) {
  for (const char* attr : kStableIdAttrs) {
    absl::StatusOr<std::optional<std::string>> id = dir.Text(attr);
    if (!id.ok()) return id.status();
    if (id->has_value()) {
      d->set_stable_id(**id);
      break;
    }
  }
  absl::StatusOr<std::vector<std::string>> slaves = dir.Names("slaves");
  absl::StatusOr<std::vector<std::string>> holders = dir.Names("holders");
  if (!slaves.ok()) return slaves.status();
  if (!holders.ok()) return holders.status();
  for (std::string& s : *slaves) d->add_slaves(std::move(s));
  for (std::string& h : *holders) d->add_holders(std::move(h));
  return absl::OkStatus();
}

// Which layer attributes the device directory has decides the oneof.
absl::Status ReadLayer(const SysfsAttrReader& dir, RawDevice* raw,
                       std::vector<std::string>* warnings) {
  mfr::v1::BlockDevice* d = &raw->device;
  if (dir.Exists("partition")) {
    absl::Status status = ReadPartitionLayer(dir, d);
    if (!status.ok()) return status;
    absl::StatusOr<std::optional<std::string>> up = dir.Text("../dev");
    if (up.ok() && up->has_value()) {
      absl::StatusOr<mfr::v1::DeviceNumber> dev = ParseDevNumber(**up);
      if (dev.ok()) raw->dir_parent_dev = *dev;
    }
    return absl::OkStatus();
  }
  if (dir.HasDir("md")) return ReadMdLayer(dir, d, warnings);
  if (dir.HasDir("dm")) return ReadDmLayer(dir, d);
  // An unbound loop device has no loop/ directory: no layer.
  if (dir.HasDir("loop")) return ReadLoopLayer(dir, d);
  return absl::OkStatus();
}

absl::StatusOr<RawDevice> ReadRawDevice(const RootedFs& fs,
                                        const std::string& name,
                                        std::vector<std::string>* warnings) {
  SysfsAttrReader dir(fs, absl::StrCat(kClassBlock, "/", name));
  RawDevice raw;
  raw.device.set_name(name);
  absl::Status status = ReadCommon(dir, &raw.device);
  if (status.ok()) status = ReadLinks(dir, &raw.device);
  if (status.ok()) status = ReadLayer(dir, &raw, warnings);
  if (!status.ok()) return status;
  return raw;
}

// Finds the parent disk of a partition: the device whose dev matches the
// directory it lives in, else the disk named by the kernel's naming rule.
absl::StatusOr<const mfr::v1::BlockDevice*> FindParent(
    const RawDevice& raw,
    const std::map<std::string, const mfr::v1::BlockDevice*>& by_name,
    const std::map<std::string, const mfr::v1::BlockDevice*>& by_dev) {
  if (raw.dir_parent_dev.has_value()) {
    auto it = by_dev.find(DevKey(*raw.dir_parent_dev));
    if (it != by_dev.end()) return it->second;
  }
  const mfr::v1::BlockDevice& d = raw.device;
  absl::StatusOr<std::string> name =
      PartitionParentName(d.name(), d.partition().number());
  if (!name.ok()) return name.status();
  auto it = by_name.find(*name);
  if (it == by_name.end()) {
    return absl::NotFoundError(
        absl::StrCat("parent disk ", *name, " not found"));
  }
  return it->second;
}

// Fills a partition's parent, and its block sizes and stable id from the
// parent (partitions have no queue/ or device/ of their own).
void FinishPartition(const mfr::v1::BlockDevice& parent,
                     mfr::v1::BlockDevice* d) {
  d->mutable_partition()->set_parent(parent.name());
  if (d->logical_block_size_bytes() == 0) {
    d->set_logical_block_size_bytes(parent.logical_block_size_bytes());
  }
  if (d->physical_block_size_bytes() == 0) {
    d->set_physical_block_size_bytes(parent.physical_block_size_bytes());
  }
  if (d->stable_id().empty() && !parent.stable_id().empty()) {
    d->set_stable_id(
        absl::StrCat(parent.stable_id(), "-part", d->partition().number()));
  }
}

void FinishPartitions(std::vector<RawDevice>* raws, BlockDeviceScan* scan) {
  std::map<std::string, const mfr::v1::BlockDevice*> by_name, by_dev;
  for (const RawDevice& raw : *raws) {
    by_name[raw.device.name()] = &raw.device;
    by_dev[DevKey(raw.device.dev())] = &raw.device;
  }
  for (RawDevice& raw : *raws) {
    if (!raw.device.has_partition()) {
      scan->devices.push_back(raw.device);
      continue;
    }
    absl::StatusOr<const mfr::v1::BlockDevice*> parent =
        FindParent(raw, by_name, by_dev);
    if (!parent.ok() || (*parent)->has_partition()) {
      scan->errors.push_back(absl::StrCat(
          raw.device.name(), ": ",
          parent.ok() ? "parent is a partition" : parent.status().message()));
      continue;
    }
    mfr::v1::BlockDevice d = raw.device;
    FinishPartition(**parent, &d);
    scan->devices.push_back(std::move(d));
  }
}

}  // namespace

absl::StatusOr<BlockDeviceScan> ScanBlockDevices(const RootedFs& fs) {
  absl::StatusOr<std::vector<std::string>> names = fs.ListDir(kClassBlock);
  if (!names.ok()) return names.status();
  BlockDeviceScan scan;
  std::vector<RawDevice> raws;
  for (const std::string& name : *names) {
    if (raws.size() >= kMaxBlockDevices) {
      scan.errors.push_back(absl::StrCat(name, ": over the device limit"));
      continue;
    }
    absl::StatusOr<RawDevice> raw = ReadRawDevice(fs, name, &scan.warnings);
    if (!raw.ok()) {
      scan.errors.push_back(absl::StrCat(name, ": ", raw.status().message()));
      continue;
    }
    raws.push_back(*std::move(raw));
  }
  FinishPartitions(&raws, &scan);  // keeps name order: raws are sorted
  return scan;
}

}  // namespace mfr::agent::topology
