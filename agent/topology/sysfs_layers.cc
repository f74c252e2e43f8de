// Implementation of the per-layer sysfs readers.
#include "agent/topology/sysfs_layers.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::topology {
namespace {

// Most members read per md array; a real array has at most a few hundred.
constexpr size_t kMaxMdMembers = 4096;

// Reads one geometry attribute ("N" or "new (old)") into *out.
absl::Status ReadMdGeometry(const SysfsAttrReader& md, absl::string_view attr,
                            uint64_t* out, bool* reshaping) {
  absl::StatusOr<std::optional<std::string>> text = md.Text(attr);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return absl::OkStatus();
  absl::StatusOr<MdGeometryValue> value = ParseMdGeometryValue(**text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(md.PathOf(attr), ": ", value.status().message()));
  }
  *out = value->value;
  *reshaping = *reshaping || value->reshaping;
  return absl::OkStatus();
}

absl::StatusOr<mfr::v1::MdMember> ReadMdMember(const SysfsAttrReader& md,
                                               const std::string& entry) {
  SysfsAttrReader dir = md.Sub(entry);
  mfr::v1::MdMember member;
  member.set_device(entry.substr(4));  // "dev-sdb1" -> "sdb1"
  member.set_slot(-1);
  absl::StatusOr<std::optional<std::string>> slot = dir.Text("slot");
  if (!slot.ok()) return slot.status();
  if (slot->has_value()) {
    absl::StatusOr<int32_t> parsed = ParseMdSlot(**slot);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir.PathOf("slot"), ": ", parsed.status().message()));
    }
    member.set_slot(*parsed);
  }
  uint64_t offset = 0;
  absl::Status status = dir.SectorsAsBytes("offset", &offset);
  if (!status.ok()) return status;
  member.set_data_offset_bytes(offset);
  absl::StatusOr<std::optional<std::string>> state = dir.Text("state");
  if (!state.ok()) return state.status();
  member.set_state(state->value_or(""));
  return member;
}

// Active members first, by slot; spares and failed members (-1) last.
bool MemberOrder(const mfr::v1::MdMember& a, const mfr::v1::MdMember& b) {
  uint32_t sa = static_cast<uint32_t>(a.slot());  // -1 sorts last
  uint32_t sb = static_cast<uint32_t>(b.slot());
  if (sa != sb) return sa < sb;
  return a.device() < b.device();
}

absl::Status ReadMdMembers(const SysfsAttrReader& md, mfr::v1::MdArray* array) {
  absl::StatusOr<std::vector<std::string>> entries = md.Names("");
  if (!entries.ok()) return entries.status();
  std::vector<mfr::v1::MdMember> members;
  for (const std::string& entry : *entries) {
    if (!absl::StartsWith(entry, "dev-") || entry.size() == 4) continue;
    if (members.size() >= kMaxMdMembers) {
      return absl::ResourceExhaustedError("too many md members");
    }
    absl::StatusOr<mfr::v1::MdMember> member = ReadMdMember(md, entry);
    if (!member.ok()) return member.status();
    members.push_back(*std::move(member));
  }
  std::sort(members.begin(), members.end(), MemberOrder);
  for (mfr::v1::MdMember& m : members) *array->add_members() = std::move(m);
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadPartitionLayer(const SysfsAttrReader& dir,
                                mfr::v1::BlockDevice* device) {
  absl::StatusOr<uint64_t> number = dir.RequiredUint("partition");
  if (!number.ok()) return number.status();
  if (*number == 0 || *number > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir.PathOf("partition"), ": out of range"));
  }
  if (!dir.Exists("start")) {
    return absl::NotFoundError(absl::StrCat(dir.PathOf("start"), ": missing"));
  }
  uint64_t start_bytes = 0;
  absl::Status status = dir.SectorsAsBytes("start", &start_bytes);
  if (!status.ok()) return status;
  mfr::v1::Partition* partition = device->mutable_partition();
  partition->set_number(static_cast<uint32_t>(*number));
  partition->set_start_bytes(start_bytes);
  return absl::OkStatus();
}

absl::Status ReadLoopLayer(const SysfsAttrReader& dir,
                           mfr::v1::BlockDevice* device) {
  absl::StatusOr<std::optional<std::string>> backing =
      dir.RawLine("loop/backing_file");
  if (!backing.ok()) return backing.status();
  if (!backing->has_value()) {
    return absl::NotFoundError(
        absl::StrCat(dir.PathOf("loop/backing_file"), ": missing"));
  }
  uint64_t offset = 0;
  uint64_t size_limit = 0;
  absl::Status status = dir.Uint("loop/offset", &offset);
  if (status.ok()) status = dir.Uint("loop/sizelimit", &size_limit);
  if (!status.ok()) return status;
  mfr::v1::LoopDevice* loop = device->mutable_loop();
  loop->set_backing_file(**backing);
  loop->set_offset_bytes(offset);
  loop->set_size_limit_bytes(size_limit);
  return absl::OkStatus();
}

absl::Status ReadMdLayer(const SysfsAttrReader& dir,
                         mfr::v1::BlockDevice* device,
                         std::vector<std::string>* warnings) {
  SysfsAttrReader md = dir.Sub("md");
  absl::StatusOr<std::optional<std::string>> level = md.Text("level");
  if (!level.ok()) return level.status();
  uint64_t chunk = 0, layout = 0, disks = 0;
  bool reshaping = false;
  absl::Status status = ReadMdGeometry(md, "chunk_size", &chunk, &reshaping);
  if (status.ok()) status = ReadMdGeometry(md, "layout", &layout, &reshaping);
  if (status.ok())
    status = ReadMdGeometry(md, "raid_disks", &disks, &reshaping);
  if (!status.ok()) return status;
  if (disks > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat(md.PathOf("raid_disks"), ": out of range"));
  }
  mfr::v1::MdArray array;
  array.set_level(level->value_or(""));
  array.set_chunk_size_bytes(chunk);
  array.set_layout(md.Exists("layout") ? absl::StrCat(layout) : "");
  array.set_raid_disks(static_cast<uint32_t>(disks));
  status = ReadMdMembers(md, &array);
  if (!status.ok()) return status;
  if (reshaping) {
    warnings->push_back(absl::StrCat(
        device->name(), ": md reshape in progress; geometry is the new one"));
  }
  *device->mutable_md() = std::move(array);
  return absl::OkStatus();
}

absl::Status ReadDmLayer(const SysfsAttrReader& dir,
                         mfr::v1::BlockDevice* device) {
  absl::StatusOr<std::optional<std::string>> name = dir.RawLine("dm/name");
  absl::StatusOr<std::optional<std::string>> uuid = dir.RawLine("dm/uuid");
  if (!name.ok()) return name.status();
  if (!uuid.ok()) return uuid.status();
  mfr::v1::DmTable* dm = device->mutable_dm();
  dm->set_dm_name(name->value_or(""));
  dm->set_dm_uuid(uuid->value_or(""));
  return absl::OkStatus();
}

}  // namespace mfr::agent::topology
