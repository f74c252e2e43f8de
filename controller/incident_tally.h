// What one incident contributes to the incident gauges (deploy/METRICS.md):
// the incident itself by host/state/severity, its file and metadata owners
// by their own state, and whether no snapshot or filesystem explains it.
// Gauges move by the difference between an incident's tally before and
// after a change, so they go down when incidents are resolved. Pure.
#ifndef MFR_CONTROLLER_INCIDENT_TALLY_H_
#define MFR_CONTROLLER_INCIDENT_TALLY_H_

#include <map>
#include <string>

#include "common/metric_labels.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller {

struct IncidentTally {
  std::string host;
  std::string state;     // "open", "data_lost", ... (METRICS.md values)
  std::string severity;  // "info", "warning", "critical"
  std::map<std::string, int> files;     // file owners by state
  std::map<std::string, int> metadata;  // metadata owners by state
  bool unmapped = false;  // unresolved, with a range nothing explains
};

IncidentTally TallyOf(const mfr::v1::Incident& incident);

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_INCIDENT_TALLY_H_
