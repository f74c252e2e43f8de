// A small durable state file: read whole with a size bound, replaced
// atomically (temporary file, fsync, rename, fsync of the directory), so a
// crash leaves the old or the new content, never a torn one, and the new
// name survives a power loss once Write returned.
//
// (agent/sources/sequence_file.cc does the same for the kmsg resume point
// without the directory fsync; both could share this.)
#ifndef MFR_COMMON_STATE_FILE_H_
#define MFR_COMMON_STATE_FILE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr {

// The content, nullopt when the file does not exist, DataLoss when it is
// larger than `max_bytes`, other errors from errno.
absl::StatusOr<std::optional<std::string>> ReadStateFile(
    const std::string& path, size_t max_bytes);

// Replaces `path` with `content` (via "<path>.tmp").
absl::Status WriteStateFile(const std::string& path, absl::string_view content);

}  // namespace mfr

#endif  // MFR_COMMON_STATE_FILE_H_
