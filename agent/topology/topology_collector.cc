// Implementation of TopologyCollector: the one driver of collection.
#include "agent/topology/topology_collector.h"

#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/topology/dm_table_parser.h"
#include "agent/topology/mountinfo_parser.h"
#include "agent/topology/rooted_fs.h"
#include "agent/topology/sysfs_block.h"

namespace mfr::agent::topology {
namespace {

absl::StatusOr<MountInfoTable> ReadMountInfo(const RootedFs& fs,
                                             const std::string& root,
                                             std::vector<std::string>* warn) {
  absl::StatusOr<std::string> text =
      fs.ReadFile(MountInfoPath(root), kMaxMountInfoBytes);
  if (absl::IsNotFound(text.status())) {  // a recorded tree has only self
    text = fs.ReadFile("proc/self/mountinfo", kMaxMountInfoBytes);
  }
  if (!text.ok()) return text.status();
  absl::StatusOr<MountInfoTable> table = ParseMountInfo(*text);
  if (table.ok() && table->skipped_lines > 0) {
    warn->push_back(absl::StrCat("mountinfo: skipped ", table->skipped_lines,
                                 " lines; first: ", table->first_error));
  }
  return table;
}

// Sets the targets of each dm device whose dm name has a table.
absl::Status AttachDmTables(const std::string& text,
                            std::vector<mfr::v1::BlockDevice>* devices,
                            std::vector<std::string>* warn) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<std::map<std::string, std::vector<mfr::v1::DmTarget>>> tables =
      ParseDmsetupTables(text);
  if (!tables.ok()) return tables.status();
  for (mfr::v1::BlockDevice& d : *devices) {
    if (!d.has_dm()) continue;
    auto it = tables->find(d.dm().dm_name());
    if (it == tables->end()) {
      warn->push_back(
          absl::StrCat(d.name(), ": no dm table for ", d.dm().dm_name()));
      continue;
    }
    for (const mfr::v1::DmTarget& t : it->second) {
      *d.mutable_dm()->add_targets() = t;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CollectedTopology> TopologyCollector::Collect() {
  absl::StatusOr<std::unique_ptr<RootedFs>> fs = RootedFs::Open(host_.path);
  if (!fs.ok()) return fs.status();
  CollectedTopology result;
  absl::StatusOr<MountInfoTable> mountinfo =
      ReadMountInfo(**fs, host_.path, &result.warnings);
  if (!mountinfo.ok()) return mountinfo.status();
  absl::StatusOr<BlockDeviceScan> scan = ScanBlockDevices(**fs);
  if (!scan.ok()) return scan.status();
  for (const std::string& e : scan->errors) {
    result.warnings.push_back(absl::StrCat("left out ", e));
  }
  for (std::string& w : scan->warnings) result.warnings.push_back(std::move(w));
  absl::Status status =
      AttachDmTables(host_.dm_tables_text, &scan->devices, &result.warnings);
  if (!status.ok()) return status;
  std::vector<mfr::v1::Mount> mounts =
      BuildBlockMounts(mountinfo->entries, scan->devices);
  for (mfr::v1::BlockDevice& d : scan->devices) {
    *result.topology.add_devices() = std::move(d);
  }
  for (mfr::v1::Mount& m : mounts) {
    *result.topology.add_mounts() = std::move(m);
  }
  ProbeMounts(&result);
  return result;
}

void TopologyCollector::ProbeMounts(CollectedTopology* result) {
  for (mfr::v1::Mount& m : *result->topology.mutable_mounts()) {
    absl::StatusOr<FsIdentity> id = probe_->Probe(m.mount_point());
    if (!id.ok()) {
      result->warnings.push_back(absl::StrCat(
          m.mount_point(), ": probe failed: ", id.status().ToString()));
      continue;
    }
    m.set_fs_uuid(id->uuid);
    m.set_block_size_bytes(id->block_size_bytes);
  }
}

}  // namespace mfr::agent::topology
