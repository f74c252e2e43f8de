// Label values for mfr's Prometheus metrics (deploy/METRICS.md): proto
// enum names as lower-case words without their prefix. Pure.
#ifndef MFR_COMMON_METRIC_LABELS_H_
#define MFR_COMMON_METRIC_LABELS_H_

#include <string>

#include "mfr/v1/types.pb.h"

namespace mfr {

std::string StateLabel(mfr::v1::IncidentState state);      // "data_lost"
std::string SeverityLabel(mfr::v1::Severity severity);     // "critical"
std::string SourceLabel(mfr::v1::ErrorSource source);      // "kmsg"
std::string KindLabel(mfr::v1::ErrorKind kind);            // "medium"
std::string OutcomeLabel(mfr::v1::ActionOutcome outcome);  // "done"
std::string ActionLabel(const mfr::v1::Action& action);    // "kill_mappers"

}  // namespace mfr

#endif  // MFR_COMMON_METRIC_LABELS_H_
