#include "common/metric_labels.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace mfr {
namespace {

std::string Word(const std::string& enum_name, absl::string_view prefix) {
  std::string word = absl::StartsWith(enum_name, prefix)
                         ? enum_name.substr(prefix.size())
                         : enum_name;
  absl::AsciiStrToLower(&word);
  return word;
}

}  // namespace

std::string StateLabel(mfr::v1::IncidentState state) {
  return Word(mfr::v1::IncidentState_Name(state), "INCIDENT_STATE_");
}
std::string SeverityLabel(mfr::v1::Severity severity) {
  return Word(mfr::v1::Severity_Name(severity), "SEVERITY_");
}
std::string SourceLabel(mfr::v1::ErrorSource source) {
  return Word(mfr::v1::ErrorSource_Name(source), "ERROR_SOURCE_");
}
std::string KindLabel(mfr::v1::ErrorKind kind) {
  return Word(mfr::v1::ErrorKind_Name(kind), "ERROR_KIND_");
}
std::string OutcomeLabel(mfr::v1::ActionOutcome outcome) {
  return Word(mfr::v1::ActionOutcome_Name(outcome), "ACTION_OUTCOME_");
}
std::string ActionLabel(const mfr::v1::Action& action) {
  const auto* field =
      action.GetDescriptor()->FindFieldByNumber(action.kind_case());
  return field == nullptr ? "unspecified" : field->name();
}

}  // namespace mfr
