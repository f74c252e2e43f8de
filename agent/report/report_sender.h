// Delivers the outbox's reports to the controller: one loop step at a
// time, no threads of its own, time passed in, so tests drive it step by
// step. A report leaves the outbox only when the controller answered:
//
// - OK, duplicate or not: Ack (delivered).
// - INVALID_ARGUMENT: Reject. The report is kept in the outbox's rejected
//   set for inspection, counted, and never retried.
// - Controller-wide trouble (UNAVAILABLE, DEADLINE_EXCEEDED,
//   RESOURCE_EXHAUSTED, UNIMPLEMENTED, CANCELLED, UNAUTHENTICATED,
//   PERMISSION_DENIED): the report stays, the step stops, and nothing is
//   sent before the controller backoff expires, so a controller that is
//   down is not called once per report. Never gives up: an outage of any
//   length only delays.
// - Anything else (e.g. NOT_FOUND for a host that has not registered yet,
//   INTERNAL): the report stays and backs off alone; the others go on.
//   After max_report_attempts such answers it is rejected, so one
//   poison report cannot stay forever.
//
// Backoff: the n-th consecutive failure waits
//   min(max, initial * multiplier^(n-1)) * (1 - jitter * u),  u in [0, 1)
// drawn from options.uniform01 (tests inject a constant). Backoff state is
// in memory: after a restart every pending report is tried at once, which
// is harmless because the controller deduplicates by report id.
//
// Thread-compatible: call SendPending from one loop thread. The outbox may
// be written (Put) concurrently from other threads.
#ifndef MFR_AGENT_REPORT_REPORT_SENDER_H_
#define MFR_AGENT_REPORT_REPORT_SENDER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agent/report/outbox.h"
#include "agent/report/report_channel.h"

namespace mfr::agent::report {

struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(250);
  absl::Duration max = absl::Seconds(60);
  double multiplier = 2.0;  // >= 1
  double jitter = 0.2;      // in [0, 1]: share a delay may be shortened by
};

// The wait after the `failures`-th consecutive failure (>= 1), u in [0, 1).
absl::Duration BackoffDelay(const BackoffPolicy& policy, int failures,
                            double u);

enum class SendVerdict {
  kDelivered,    // ack
  kRejected,     // reject now
  kRetryLater,   // controller-wide: stop the step, back off
  kRetryReport,  // this report backs off; others go on
};
SendVerdict ClassifySendStatus(const absl::Status& status);

struct ReportSenderOptions {
  BackoffPolicy backoff;
  size_t max_sends_per_step = 256;  // bounds one step's duration
  int max_report_attempts = 30;     // kRetryReport answers before rejecting
  // Jitter source in [0, 1); empty: a private absl::BitGen.
  std::function<double()> uniform01;
};

struct ReportSenderStats {
  uint64_t sent = 0;        // CorruptRange calls made
  uint64_t delivered = 0;   // acknowledged (including duplicates)
  uint64_t duplicates = 0;  // acknowledged with duplicate=true
  uint64_t rejected = 0;
  uint64_t failures = 0;    // answers that left the report pending
  absl::Status last_error;  // of the last failure
};

class ReportSender {
 public:
  // `outbox` and `channel` must outlive the sender.
  ReportSender(Outbox* outbox, ReportChannel* channel,
               ReportSenderOptions options = {});

  // Sends every pending report that is due at `now`, in outbox order, up to
  // max_sends_per_step. Delivery failures are not errors (see stats());
  // returns an error only when the outbox failed (the step then stops).
  absl::Status SendPending(absl::Time now);

  // Before this time SendPending sends nothing (controller backoff);
  // InfinitePast when the controller is not backed off.
  absl::Time controller_retry_at() const { return controller_retry_at_; }
  const ReportSenderStats& stats() const { return stats_; }

 private:
  struct Retry {
    int failures = 0;
    absl::Time next;
  };

  // Acts on the answer to one report; false stops the step.
  absl::StatusOr<bool> Handle(
      const std::string& id,
      const absl::StatusOr<mfr::v1::CorruptRangeResponse>& answer,
      absl::Time now);
  absl::Status RetryReport(const std::string& id, const absl::Status& status,
                           absl::Time now);
  void Prune(const std::vector<std::string>& pending_ids);
  absl::Duration Delay(int failures);

  Outbox* const outbox_;
  ReportChannel* const channel_;
  const ReportSenderOptions options_;
  absl::BitGen bitgen_;
  absl::Time controller_retry_at_ = absl::InfinitePast();
  int controller_failures_ = 0;
  absl::flat_hash_map<std::string, Retry> retries_;
  ReportSenderStats stats_;
};

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_REPORT_SENDER_H_
