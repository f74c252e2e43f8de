#include "controller/incident_tally.h"

#include "controller/recovery/outcome.h"

namespace mfr::controller {
namespace {

bool IsMetadata(const mfr::v1::OwnerExtent& owner) {
  return owner.kind() == mfr::v1::OWNER_KIND_METADATA ||
         owner.kind() == mfr::v1::OWNER_KIND_EXTENT_MAP ||
         owner.kind() == mfr::v1::OWNER_KIND_FILE_ATTR_FORK;
}

}  // namespace

IncidentTally TallyOf(const mfr::v1::Incident& incident) {
  IncidentTally t;
  t.host = incident.host();
  t.state = StateLabel(incident.state());
  t.severity = SeverityLabel(incident.severity());
  const bool resolved = incident.state() == mfr::v1::INCIDENT_STATE_RESOLVED;
  t.unmapped = !resolved && incident.owners().empty();
  for (const auto& owner : incident.owners()) {
    const std::string state =
        StateLabel(recovery::EffectiveOwnerState(incident, owner));
    if (owner.kind() == mfr::v1::OWNER_KIND_FILE_DATA) ++t.files[state];
    if (IsMetadata(owner)) ++t.metadata[state];
    if (owner.kind() == mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT && !resolved) {
      t.unmapped = true;
    }
  }
  return t;
}

}  // namespace mfr::controller
