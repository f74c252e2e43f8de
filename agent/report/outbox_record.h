// The on-disk encoding of outbox entries (see outbox.h for the layout).
// Pure; thread-safe.
#ifndef MFR_AGENT_REPORT_OUTBOX_RECORD_H_
#define MFR_AGENT_REPORT_OUTBOX_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mfr/v1/agent_service.pb.h"

namespace mfr::agent::report {

inline constexpr char kPendingPrefix = 'p';
inline constexpr char kRejectedPrefix = 'r';

struct OutboxEntry {
  uint64_t sequence = 0;  // Put order
  absl::Time enqueued;
  mfr::v1::CorruptRangeRequest request;
};

struct RejectedEntry {
  OutboxEntry entry;
  absl::Time rejected;
  std::string reason;
};

// prefix + be64(seq): byte order is sequence order.
std::string OutboxKey(char prefix, uint64_t seq);
// The sequence of a key with `prefix`; DataLoss for anything else.
absl::StatusOr<uint64_t> ParseOutboxKey(char prefix, absl::string_view key);

std::string EncodePending(const OutboxEntry& entry);
// DataLoss when `value` is truncated or not a CorruptRangeRequest.
absl::StatusOr<OutboxEntry> DecodePending(uint64_t seq,
                                          absl::string_view value);

std::string EncodeRejected(const RejectedEntry& entry);
absl::StatusOr<RejectedEntry> DecodeRejected(uint64_t seq,
                                             absl::string_view value);

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_OUTBOX_RECORD_H_
