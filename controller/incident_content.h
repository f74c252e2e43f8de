// What an incident says, from the stack translation and the reverse-map
// owners of each translated piece. Pure.
//
// Severity: CRITICAL when file data or filesystem metadata is lost; WARNING
// when the damage is repairable by md, or lands where no snapshot or no
// filesystem says what lived there; INFO when only free space is hit.
#ifndef MFR_CONTROLLER_INCIDENT_CONTENT_H_
#define MFR_CONTROLLER_INCIDENT_CONTENT_H_

#include <vector>

#include "controller/resolve/stack_translator.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller {

// One translated piece with the owners found for it (empty for unmapped
// pieces; a mapped piece whose filesystem has no snapshot carries one
// NOT_IN_SNAPSHOT owner).
struct ResolvedPiece {
  resolve::TranslationResult translation;
  std::vector<mfr::v1::OwnerExtent> owners;
  std::string note;  // e.g. "no snapshot of /data yet"
};

// Fills chain, owners, severity and appends audit lines to `incident`
// (replacing any previous chain, owners and severity).
void FillIncidentContent(const std::vector<ResolvedPiece>& pieces,
                         mfr::v1::Incident* incident);

mfr::v1::Severity SeverityOf(const std::vector<ResolvedPiece>& pieces);

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_INCIDENT_CONTENT_H_
