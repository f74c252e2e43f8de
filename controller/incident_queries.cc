#include "controller/incident_queries.h"

#include <algorithm>

#include "common/proto_time.h"
#include "controller/recovery/outcome.h"

namespace mfr::controller {
namespace {

bool IsFileOwner(const mfr::v1::OwnerExtent& o) {
  return o.kind() == mfr::v1::OWNER_KIND_FILE_DATA ||
         o.kind() == mfr::v1::OWNER_KIND_FILE_ATTR_FORK;
}

uint32_t PageSize(uint32_t requested) {
  return requested == 0 ? kDefaultPageSize : std::min(requested, kMaxPageSize);
}

bool UpdatedWithin(const mfr::v1::Incident& incident,
                   const mfr::v1::ListIncidentsRequest& request) {
  const absl::Time updated = FromProtoTime(incident.updated());
  if (request.has_updated_after() &&
      updated < FromProtoTime(request.updated_after())) {
    return false;
  }
  return !request.has_updated_before() ||
         updated < FromProtoTime(request.updated_before());
}

}  // namespace

absl::StatusOr<mfr::v1::Incident> IncidentQueries::Get(
    const std::string& id) const {
  return store_->Get(id);
}

absl::StatusOr<mfr::v1::ListIncidentsResponse> IncidentQueries::List(
    const mfr::v1::ListIncidentsRequest& request) const {
  mfr::v1::ListIncidentsResponse response;
  const uint32_t limit = PageSize(request.page_size());
  auto s = store_->Scan(
      request.page_token(), request.host(),
      [&](const mfr::v1::Incident& incident) {
        if (request.state() != mfr::v1::INCIDENT_STATE_UNSPECIFIED &&
            incident.state() != request.state()) {
          return true;
        }
        if (!UpdatedWithin(incident, request)) return true;
        if (static_cast<uint32_t>(response.incidents_size()) == limit) {
          response.set_next_page_token(
              response.incidents(response.incidents_size() - 1).id());
          return false;
        }
        *response.add_incidents() = incident;
        return true;
      });
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<mfr::v1::ListAffectedFilesResponse>
IncidentQueries::ListAffectedFiles(
    const mfr::v1::ListAffectedFilesRequest& request) const {
  mfr::v1::ListAffectedFilesResponse response;
  const uint32_t limit = PageSize(request.page_size());
  std::string last_id;
  auto s = store_->Scan(
      request.page_token(), request.host(),
      [&](const mfr::v1::Incident& incident) {
        if (static_cast<uint32_t>(response.files_size()) >= limit) {
          response.set_next_page_token(last_id);
          return false;
        }
        for (const auto& owner : incident.owners()) {
          if (!IsFileOwner(owner)) continue;
          const mfr::v1::IncidentState state =
              recovery::EffectiveOwnerState(incident, owner);
          if (request.state() != mfr::v1::INCIDENT_STATE_UNSPECIFIED &&
              state != request.state()) {
            continue;
          }
          auto* file = response.add_files();
          file->set_host(incident.host());
          file->set_mount_point(owner.mount_point());
          file->set_inode(owner.inode());
          *file->mutable_paths() = owner.paths();
          *file->mutable_file_range() = owner.file_range();
          file->set_state(state);
          file->set_incident_id(incident.id());
          *file->mutable_lost_file_ranges() = owner.lost_file_ranges();
          *file->mutable_recovered_file_ranges() =
              owner.recovered_file_ranges();
        }
        last_id = incident.id();
        return true;
      });
  if (!s.ok()) return s;
  return response;
}

}  // namespace mfr::controller
