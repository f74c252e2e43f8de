#include "controller/resolve/topology_index.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/resolve/dm_map.h"
#include "controller/resolve/loop_map.h"
#include "controller/resolve/md_map.h"

namespace mfr::controller::resolve {
namespace {

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list,
              absl::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool IsLeg(const mfr::v1::MdArray& md, absl::string_view device) {
  for (const mfr::v1::MdMember& m : md.members()) {
    if (m.device() == device) return true;
  }
  return false;
}

DmDeviceRef RefOf(const mfr::v1::BlockDevice& d) {
  DmDeviceRef ref;
  ref.name = d.name();
  ref.has_dev = d.has_dev();
  ref.major = d.dev().major();
  ref.minor = d.dev().minor();
  if (d.has_dm()) ref.dm_name = d.dm().dm_name();
  return ref;
}

// An md geometry with each leg's device size filled from the topology.
absl::StatusOr<MdGeometry> GeometryOf(const mfr::v1::BlockDevice& md,
                                      const TopologyIndex& index) {
  absl::StatusOr<MdGeometry> geo = ParseMdGeometry(md);
  if (!geo.ok()) return geo;
  for (MdLeg& leg : geo->legs) {
    const mfr::v1::BlockDevice* d = index.Device(leg.device);
    if (d != nullptr) leg.device_size_bytes = d->size_bytes();
  }
  return geo;
}

}  // namespace

TopologyIndex::TopologyIndex(mfr::v1::Topology topology)
    : topology_(std::move(topology)) {
  for (int i = 0; i < topology_.devices_size(); ++i) {
    by_name_.emplace(topology_.devices(i).name(), i);
  }
  for (int i = 0; i < topology_.devices_size(); ++i) {
    const mfr::v1::BlockDevice& d = topology_.devices(i);
    if (by_name_.at(d.name()) != i) continue;  // a duplicate name
    if (d.has_partition()) {
      partitions_[d.partition().parent()].push_back(
          {d.name(), d.partition().number(), d.partition().start_bytes(),
           d.size_bytes()});
    } else if (d.has_md()) {
      md_.emplace_back(i, GeometryOf(d, *this));
    } else if (d.has_dm()) {
      dm_.push_back(i);
    } else if (d.has_loop()) {
      loops_.push_back(i);
    }
  }
}

const mfr::v1::BlockDevice* TopologyIndex::Device(
    absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &topology_.devices(it->second);
}

std::vector<const mfr::v1::Mount*> TopologyIndex::MountsOn(
    absl::string_view device) const {
  std::vector<const mfr::v1::Mount*> whole, subtrees;
  for (const mfr::v1::Mount& m : topology_.mounts()) {
    if (m.device() != device) continue;
    (m.root().empty() || m.root() == "/" ? whole : subtrees).push_back(&m);
  }
  whole.insert(whole.end(), subtrees.begin(), subtrees.end());
  return whole;
}

std::string TopologyIndex::LoopFileNote(absl::string_view device) const {
  const mfr::v1::BlockDevice* d = Device(device);
  if (d == nullptr || !d->has_loop() ||
      absl::StartsWith(d->loop().backing_file(), "/dev/")) {
    return "";
  }
  return absl::StrCat(device, " is a loop over file ", d->loop().backing_file(),
                      " (offset ", d->loop().offset_bytes(),
                      "); that file's own blocks are not translated");
}

absl::StatusOr<UpperLayers> TopologyIndex::MapUp(absl::string_view device,
                                                 const ByteSpan& range) const {
  const mfr::v1::BlockDevice* d = Device(device);
  if (d == nullptr) {
    return absl::NotFoundError(absl::StrCat("no device ", device));
  }
  UpperLayers out;
  absl::Status status = MapPartitions(d->name(), range, &out);
  if (status.ok()) status = MapMd(d->name(), range, &out);
  if (status.ok()) status = MapDm(*d, range, &out);
  if (status.ok()) status = MapLoops(*d, range, &out);
  if (!status.ok()) return status;
  return out;
}

absl::Status TopologyIndex::Add(absl::StatusOr<LayerMapping> mapping,
                                const std::string& upper, const ByteSpan& range,
                                UpperLayers* out) const {
  if (mapping.status().code() == absl::StatusCode::kResourceExhausted) {
    return mapping.status();
  }
  if (!mapping.ok()) {
    LayerMapping stop;
    stop.stop.push_back({range,
                         absl::StrCat("cannot translate into ", upper, ": ",
                                      mapping.status().message()),
                         false});
    mapping = std::move(stop);
  }
  out->layers.push_back(*std::move(mapping));
  return absl::OkStatus();
}

absl::Status TopologyIndex::MapPartitions(const std::string& device,
                                          const ByteSpan& range,
                                          UpperLayers* out) const {
  auto it = partitions_.find(device);
  if (it == partitions_.end()) return absl::OkStatus();
  out->has_partitions = true;
  return Add(MapDiskToPartitions(it->second, range),
             absl::StrCat("partitions of ", device), range, out);
}

absl::Status TopologyIndex::MapMd(const std::string& device,
                                  const ByteSpan& range,
                                  UpperLayers* out) const {
  for (const auto& [i, geo] : md_) {
    const mfr::v1::BlockDevice& md = topology_.devices(i);
    if (!IsLeg(md.md(), device)) continue;
    out->holders.push_back(md.name());
    absl::StatusOr<LayerMapping> mapping =
        geo.ok() ? MapMemberToMd(*geo, device, range)
                 : absl::StatusOr<LayerMapping>(geo.status());
    absl::Status status = Add(std::move(mapping), md.name(), range, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status TopologyIndex::MapDm(const mfr::v1::BlockDevice& lower,
                                  const ByteSpan& range,
                                  UpperLayers* out) const {
  const DmDeviceRef ref = RefOf(lower);
  for (int i : dm_) {
    const mfr::v1::BlockDevice& dm = topology_.devices(i);
    const bool slave = Contains(dm.slaves(), lower.name());
    if (!slave && !DmTableUses(dm.dm(), ref)) continue;
    out->holders.push_back(dm.name());
    absl::Status status =
        Add(MapLowerToDm(dm.name(), dm.dm(), ref, slave, range), dm.name(),
            range, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status TopologyIndex::MapLoops(const mfr::v1::BlockDevice& lower,
                                     const ByteSpan& range,
                                     UpperLayers* out) const {
  const std::string dm_name = lower.has_dm() ? lower.dm().dm_name() : "";
  for (int i : loops_) {
    const mfr::v1::BlockDevice& loop = topology_.devices(i);
    if (!BacksOnDevice(loop.loop().backing_file(), lower.name(), dm_name)) {
      continue;
    }
    LoopWindow window{
        loop.name(), loop.loop().backing_file(), loop.loop().offset_bytes(),
        loop.loop().size_limit_bytes() != 0 ? loop.loop().size_limit_bytes()
                                            : loop.size_bytes()};
    out->holders.push_back(loop.name());
    absl::Status status =
        Add(MapBackingDeviceToLoop(window, range), loop.name(), range, out);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace mfr::controller::resolve
