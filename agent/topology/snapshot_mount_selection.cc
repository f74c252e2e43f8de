// Implementation of SelectSnapshotMounts.
#include "agent/topology/snapshot_mount_selection.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace mfr::agent::topology {
namespace {

// True if `a` is the better mount of one filesystem to snapshot.
bool Better(const mfr::v1::Mount& a, const mfr::v1::Mount& b) {
  const std::string& pa = a.mount_point();
  const std::string& pb = b.mount_point();
  return std::make_tuple(a.root() != "/", pa.size(), pa) <
         std::make_tuple(b.root() != "/", pb.size(), pb);
}

std::string DevKey(const mfr::v1::Mount& m) {
  return absl::StrCat(m.dev().major(), ":", m.dev().minor());
}

std::vector<mfr::v1::Mount> SelectDefault(const mfr::v1::Topology& topology) {
  std::map<std::string, const mfr::v1::Mount*> best;  // by device number
  for (const mfr::v1::Mount& m : topology.mounts()) {
    if (!IsSnapshotFsType(m.fs_type()) || m.device().empty()) continue;
    const mfr::v1::Mount*& chosen = best[DevKey(m)];
    if (chosen == nullptr || Better(m, *chosen)) chosen = &m;
  }
  std::vector<mfr::v1::Mount> result;
  for (const mfr::v1::Mount& m : topology.mounts()) {
    auto it = best.find(DevKey(m));
    if (it != best.end() && it->second == &m) result.push_back(m);
  }
  return result;
}

absl::StatusOr<std::vector<mfr::v1::Mount>> SelectWanted(
    const mfr::v1::Topology& topology, const std::vector<std::string>& wanted) {
  std::map<std::string, const mfr::v1::Mount*> by_point;
  for (const mfr::v1::Mount& m : topology.mounts()) {
    by_point[m.mount_point()] = &m;
  }
  std::vector<mfr::v1::Mount> result;
  std::set<std::string> seen;
  for (const std::string& point : wanted) {
    auto it = by_point.find(point);
    if (it == by_point.end() || it->second->device().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a block-device mount: ", point));
    }
    if (!IsSnapshotFsType(it->second->fs_type())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "not xfs or ext4: ", point, " (", it->second->fs_type(), ")"));
    }
    if (seen.insert(point).second) result.push_back(*it->second);
  }
  return result;
}

}  // namespace

bool IsSnapshotFsType(const std::string& fs_type) {
  return fs_type == "xfs" || fs_type == "ext4";
}

absl::StatusOr<std::vector<mfr::v1::Mount>> SelectSnapshotMounts(
    const mfr::v1::Topology& topology,
    const std::vector<std::string>& wanted_mount_points) {
  if (wanted_mount_points.empty()) return SelectDefault(topology);
  return SelectWanted(topology, wanted_mount_points);
}

}  // namespace mfr::agent::topology
