#include "controller/query_core.h"

#include "absl/strings/str_cat.h"
#include "common/byte_range.h"
#include "common/proto_time.h"
#include "controller/filesystem_selector.h"

namespace mfr::controller {
namespace {

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

absl::StatusOr<mfr::v1::QueryRangeResponse> QueryCore::QueryRange(
    const mfr::v1::QueryRangeRequest& request) const {
  if (request.host().empty())
    return absl::InvalidArgumentError("host is required");
  const ByteSpan range{request.range().offset_bytes(),
                       request.range().length_bytes()};
  if (auto s = ValidateSpan(range); !s.ok()) return s;

  const auto current = registry_->Current(request.host());
  if (current.records->empty()) {  // say "unknown host" when that is why
    auto host = registry_->GetHost(request.host(), current.view.get());
    if (!host.ok()) return host.status();
  }
  auto selected = SelectFilesystem(request.host(), *current.records,
                                   {request.device(), request.filesystem()});
  if (!selected.ok()) return selected.status();
  const storage::FilesystemRecord* fs = *selected;
  if (fs->device_size_bytes() != 0 && range.end() > fs->device_size_bytes()) {
    return absl::InvalidArgumentError(
        absl::StrCat("range ends at ", range.end(), ", past the end of ",
                     fs->device(), " (", fs->device_size_bytes(), " bytes)"));
  }
  auto owners = reader_.Lookup(*fs, range, current.view.get());
  if (!owners.ok()) return owners.status();

  mfr::v1::QueryRangeResponse response;
  response.set_host(fs->host());
  response.set_mount_point(fs->mount_point());
  response.set_fs_uuid(fs->fs_uuid());
  response.set_device(fs->device());
  response.set_snapshot_generation(fs->agent_generation());
  *response.mutable_snapshot_taken() = fs->taken();
  response.mutable_owners()->Reserve(static_cast<int>(owners->size()));
  for (auto& owner : *owners) *response.add_owners() = std::move(owner);
  return response;
}

absl::StatusOr<mfr::v1::ListHostsResponse> QueryCore::ListHosts(
    absl::Time now) const {
  auto view = db_->Snapshot();
  auto hosts = registry_->ListHosts(view.get());
  if (!hosts.ok()) return hosts.status();
  mfr::v1::ListHostsResponse response;
  for (const auto& host : *hosts) {
    auto* summary = response.add_hosts();
    summary->set_host(host.host());
    summary->set_agent_version(host.agent_version());
    *summary->mutable_last_seen() = host.last_seen();
    for (const auto& fs : registry_->ListFilesystems(host.host())) {
      auto* f = summary->add_filesystems();
      f->set_mount_point(fs.mount_point());
      f->set_fs_type(fs.fs_type());
      f->set_fs_uuid(fs.fs_uuid());
      f->set_device(fs.device());
      f->set_snapshot_generation(fs.agent_generation());
      if (fs.storage_generation() != 0) {
        *f->mutable_snapshot_taken() = fs.taken();
        f->set_snapshot_age_seconds(
            absl::ToDoubleSeconds(now - FromProtoTime(fs.taken())));
      }
      f->set_records(fs.records());
      f->set_segments(fs.segments());
      f->set_inodes(fs.inodes());
    }
  }
  return response;
}

}  // namespace mfr::controller
