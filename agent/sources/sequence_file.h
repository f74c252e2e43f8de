// The agent's durable resume point for /dev/kmsg: the last sequence number
// it has handed to the outbox. Written atomically (temp file, fsync,
// rename), so a crash leaves the old or the new value, never a torn one.
#ifndef MFR_AGENT_SOURCES_SEQUENCE_FILE_H_
#define MFR_AGENT_SOURCES_SEQUENCE_FILE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace mfr::agent::sources {

// nullopt when the file does not exist; DataLoss when it is garbage.
absl::StatusOr<std::optional<uint64_t>> ReadSequenceFile(
    const std::string& path);
absl::Status WriteSequenceFile(const std::string& path, uint64_t sequence);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_SEQUENCE_FILE_H_
