#include "controller/incident_feed.h"

namespace mfr::controller {

void IncidentFeed::Publish(const mfr::v1::Incident& incident) {
  absl::MutexLock lock(&mu_);
  recent_.emplace_back(++sequence_, incident);
  if (recent_.size() > kCapacity) recent_.pop_front();
}

std::vector<mfr::v1::Incident> IncidentFeed::Wait(uint64_t* seen,
                                                  absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const uint64_t after = *seen;
  auto newer = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return sequence_ > after;
  };
  mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
  std::vector<mfr::v1::Incident> out;
  for (const auto& [seq, incident] : recent_) {
    if (seq > after) out.push_back(incident);
  }
  *seen = sequence_;
  return out;
}

uint64_t IncidentFeed::latest() const {
  absl::MutexLock lock(&mu_);
  return sequence_;
}

}  // namespace mfr::controller
