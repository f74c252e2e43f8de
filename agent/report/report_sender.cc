#include "agent/report/report_sender.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace mfr::agent::report {

absl::Duration BackoffDelay(const BackoffPolicy& policy, int failures,
                            double u) {
  const double growth =
      std::pow(std::max(policy.multiplier, 1.0), std::max(failures - 1, 0));
  const double max_seconds = absl::ToDoubleSeconds(policy.max);
  const double base =
      std::min(max_seconds, absl::ToDoubleSeconds(policy.initial) * growth);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  return absl::Seconds(base * (1.0 - jitter * std::clamp(u, 0.0, 1.0)));
}

SendVerdict ClassifySendStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return SendVerdict::kDelivered;
    case absl::StatusCode::kInvalidArgument:
      return SendVerdict::kRejected;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return SendVerdict::kRetryLater;
    default:
      return SendVerdict::kRetryReport;
  }
}

ReportSender::ReportSender(Outbox* outbox, ReportChannel* channel,
                           ReportSenderOptions options)
    : outbox_(outbox), channel_(channel), options_(std::move(options)) {}

absl::Duration ReportSender::Delay(int failures) {
  const double u = options_.uniform01
                       ? options_.uniform01()
                       : absl::Uniform<double>(bitgen_, 0.0, 1.0);
  return BackoffDelay(options_.backoff, failures, u);
}

absl::Status ReportSender::SendPending(absl::Time now) {
  if (now < controller_retry_at_) return absl::OkStatus();
  const std::vector<std::string> ids = outbox_->PendingIds();
  Prune(ids);
  size_t sends = 0;
  for (const std::string& id : ids) {
    if (sends >= options_.max_sends_per_step) break;
    auto retry = retries_.find(id);
    if (retry != retries_.end() && now < retry->second.next) continue;
    absl::StatusOr<OutboxEntry> entry = outbox_->Get(id);
    if (absl::IsNotFound(entry.status())) continue;  // acked meanwhile
    if (!entry.ok()) return entry.status();
    ++sends;
    ++stats_.sent;
    absl::StatusOr<bool> go_on =
        Handle(id, channel_->Send(entry->request), now);
    if (!go_on.ok()) return go_on.status();
    if (!*go_on) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ReportSender::Handle(
    const std::string& id,
    const absl::StatusOr<mfr::v1::CorruptRangeResponse>& answer,
    absl::Time now) {
  const absl::Status& status = answer.status();
  switch (ClassifySendStatus(status)) {
    case SendVerdict::kDelivered:
      ++stats_.delivered;
      if (answer->duplicate()) ++stats_.duplicates;
      controller_failures_ = 0;
      retries_.erase(id);
      if (absl::Status s = outbox_->Ack(id); !s.ok()) return s;
      return true;
    case SendVerdict::kRejected:
      ++stats_.rejected;
      retries_.erase(id);
      if (absl::Status s = outbox_->Reject(id, status.ToString()); !s.ok()) {
        return s;
      }
      return true;
    case SendVerdict::kRetryLater:
      ++stats_.failures;
      stats_.last_error = status;
      controller_retry_at_ = now + Delay(++controller_failures_);
      return false;
    case SendVerdict::kRetryReport:
      if (absl::Status s = RetryReport(id, status, now); !s.ok()) return s;
      return true;
  }
  return true;
}

absl::Status ReportSender::RetryReport(const std::string& id,
                                       const absl::Status& status,
                                       absl::Time now) {
  ++stats_.failures;
  stats_.last_error = status;
  controller_failures_ = 0;  // the controller answered
  Retry& retry = retries_[id];
  if (++retry.failures < options_.max_report_attempts) {
    retry.next = now + Delay(retry.failures);
    return absl::OkStatus();
  }
  retries_.erase(id);
  ++stats_.rejected;
  return outbox_->Reject(
      id, absl::StrCat("gave up after ", options_.max_report_attempts,
                       " attempts; last: ", status.ToString()));
}

void ReportSender::Prune(const std::vector<std::string>& pending_ids) {
  if (retries_.empty()) return;
  const absl::flat_hash_set<std::string> pending(pending_ids.begin(),
                                                 pending_ids.end());
  absl::erase_if(retries_, [&](const auto& entry) {
    return !pending.contains(entry.first);
  });
}

}  // namespace mfr::agent::report
