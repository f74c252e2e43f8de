// Human-readable tables for mfrctl's answers. Pure: messages in, text out.
#ifndef MFR_CLI_RENDER_H_
#define MFR_CLI_RENDER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "mfr/v1/query_service.pb.h"

namespace mfr::cli {

// Left-aligned columns separated by two spaces; the first row is the header.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// "file data", "metadata (log)", "free space", ...
std::string OwnerKindName(const mfr::v1::OwnerExtent& owner);

std::string RenderQueryRange(const mfr::v1::QueryRangeResponse& response);
std::string RenderHosts(const mfr::v1::ListHostsResponse& response);

}  // namespace mfr::cli

#endif  // MFR_CLI_RENDER_H_
