// Human-readable tables for mfrctl's answers. Pure: messages in, text out.
#ifndef MFR_CLI_RENDER_H_
#define MFR_CLI_RENDER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "mfr/v1/query_service.pb.h"
#include "mfr/v1/types.pb.h"

namespace mfr::cli {

// Left-aligned columns separated by two spaces; the first row is the header.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// "file data", "metadata (log)", "free space", ...
std::string OwnerKindName(const mfr::v1::OwnerExtent& owner);

std::string RenderQueryRange(const mfr::v1::QueryRangeResponse& response);
std::string RenderHosts(const mfr::v1::ListHostsResponse& response);

// "open", "data lost", ... from an IncidentState.
std::string StateName(mfr::v1::IncidentState state);
// The enum for "open", "data_lost", "data-lost" (any case); nullopt if none.
std::optional<mfr::v1::IncidentState> ParseState(const std::string& name);

std::string RenderIncidents(const mfr::v1::ListIncidentsResponse& response);
std::string RenderIncident(const mfr::v1::Incident& incident);
std::string RenderAffectedFiles(const mfr::v1::ListAffectedFilesResponse& r);
// One line per incident change, for `mfrctl watch`.
std::string RenderIncidentLine(const mfr::v1::Incident& incident);

}  // namespace mfr::cli

#endif  // MFR_CLI_RENDER_H_
