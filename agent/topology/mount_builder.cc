// Implementation of the mountinfo + devices -> mounts step.
#include "agent/topology/mount_builder.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_split.h"

namespace mfr::agent::topology {
namespace {

uint64_t DevKey(uint32_t major, uint32_t minor) {
  return (static_cast<uint64_t>(major) << 32) | minor;
}

// Applies the dax options of one comma-separated list to *mode.
void ApplyDaxOptions(absl::string_view options, mfr::v1::DaxMode* mode) {
  for (absl::string_view option : absl::StrSplit(options, ',')) {
    if (option == "dax" || option == "dax=always") {
      *mode = mfr::v1::DAX_MODE_ALWAYS;
    } else if (option == "dax=inode") {
      *mode = mfr::v1::DAX_MODE_INODE;
    } else if (option == "dax=never") {
      *mode = mfr::v1::DAX_MODE_NEVER;
    }
  }
}

mfr::v1::Mount ToMount(const MountInfoEntry& e,
                       const mfr::v1::BlockDevice& device) {
  mfr::v1::Mount m;
  m.set_mount_point(e.mount_point);
  m.set_device(device.name());
  m.mutable_dev()->set_major(e.major);
  m.mutable_dev()->set_minor(e.minor);
  m.set_fs_type(e.fs_type);
  m.set_mount_options(e.mount_options);
  m.set_super_options(e.super_options);
  m.set_dax(ParseDaxMode(e.mount_options, e.super_options));
  m.set_source(e.source);
  m.set_root(e.root);
  return m;
}

}  // namespace

mfr::v1::DaxMode ParseDaxMode(absl::string_view mount_options,
                              absl::string_view super_options) {
  mfr::v1::DaxMode mode = mfr::v1::DAX_MODE_NEVER;
  ApplyDaxOptions(mount_options, &mode);
  ApplyDaxOptions(super_options, &mode);
  return mode;
}

std::vector<mfr::v1::Mount> BuildBlockMounts(
    const std::vector<MountInfoEntry>& entries,
    const std::vector<mfr::v1::BlockDevice>& devices) {
  std::map<uint64_t, const mfr::v1::BlockDevice*> by_dev;
  for (const mfr::v1::BlockDevice& d : devices) {
    by_dev[DevKey(d.dev().major(), d.dev().minor())] = &d;
  }
  // Index of the last entry at each mount point: it hides the others.
  std::map<std::string, size_t> top;
  for (size_t i = 0; i < entries.size(); ++i) top[entries[i].mount_point] = i;
  std::vector<mfr::v1::Mount> result;
  for (size_t i = 0; i < entries.size(); ++i) {
    const MountInfoEntry& e = entries[i];
    if (top[e.mount_point] != i) continue;
    auto it = by_dev.find(DevKey(e.major, e.minor));
    if (it == by_dev.end()) continue;
    result.push_back(ToMount(e, *it->second));
  }
  return result;
}

}  // namespace mfr::agent::topology
