#include "controller/incident_content.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mfr::controller {
namespace {

mfr::v1::Severity PieceSeverity(const ResolvedPiece& piece) {
  if (piece.translation.verdict == resolve::Verdict::kRepairable) {
    return mfr::v1::SEVERITY_WARNING;
  }
  if (!piece.translation.mapped) return mfr::v1::SEVERITY_WARNING;
  mfr::v1::Severity worst = mfr::v1::SEVERITY_INFO;
  for (const auto& owner : piece.owners) {
    switch (owner.kind()) {
      case mfr::v1::OWNER_KIND_FREE_SPACE:
        break;
      case mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT:
      case mfr::v1::OWNER_KIND_UNKNOWN:
        worst = std::max(worst, mfr::v1::SEVERITY_WARNING);
        break;
      default:  // file data, attr fork, extent map, metadata
        return mfr::v1::SEVERITY_CRITICAL;
    }
  }
  return worst;
}

std::string Describe(const ResolvedPiece& piece) {
  const auto& t = piece.translation;
  std::string line =
      absl::StrCat(t.mapped ? "maps to " : "maps to no filesystem: ", t.device,
                   " bytes ", t.range.offset, "..", t.range.end(), ", ",
                   resolve::VerdictName(t.verdict));
  if (t.mapped) absl::StrAppend(&line, " (", t.mount.mount_point(), ")");
  if (!t.reason.empty()) absl::StrAppend(&line, ": ", t.reason);
  if (t.verdict == resolve::Verdict::kRepairable) {
    absl::StrAppend(&line,
                    "; md can rewrite it from redundancy (check the array)");
  }
  if (!piece.note.empty()) absl::StrAppend(&line, "; ", piece.note);
  return line;
}

}  // namespace

mfr::v1::Severity SeverityOf(const std::vector<ResolvedPiece>& pieces) {
  mfr::v1::Severity worst = mfr::v1::SEVERITY_INFO;
  for (const auto& piece : pieces)
    worst = std::max(worst, PieceSeverity(piece));
  return worst;
}

void FillIncidentContent(const std::vector<ResolvedPiece>& pieces,
                         mfr::v1::Incident* incident) {
  incident->clear_chain();
  incident->clear_owners();
  for (const auto& piece : pieces) {
    for (const auto& step : piece.translation.chain)
      *incident->add_chain() = step;
    for (auto owner : piece.owners) {
      owner.set_mount_point(piece.translation.mount.mount_point());
      owner.set_repairable(piece.translation.verdict ==
                           resolve::Verdict::kRepairable);
      *incident->add_owners() = std::move(owner);
    }
    incident->add_audit(Describe(piece));
  }
  incident->set_severity(SeverityOf(pieces));
}

}  // namespace mfr::controller
