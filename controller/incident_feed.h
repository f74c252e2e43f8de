// Recent incident changes for WatchIncidents: writers Publish, watchers
// Wait for changes after the sequence number they have seen. Keeps the
// last kCapacity changes; a watcher that falls further behind resumes from
// the oldest kept. Thread-safe.
#ifndef MFR_CONTROLLER_INCIDENT_FEED_H_
#define MFR_CONTROLLER_INCIDENT_FEED_H_

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller {

class IncidentFeed {
 public:
  static constexpr size_t kCapacity = 1024;

  void Publish(const mfr::v1::Incident& incident);

  // Changes with a sequence number above `*seen`, waiting up to `timeout`
  // for the first; advances `*seen`. Empty after a timeout.
  std::vector<mfr::v1::Incident> Wait(uint64_t* seen, absl::Duration timeout);

  uint64_t latest() const;

 private:
  mutable absl::Mutex mu_;
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::pair<uint64_t, mfr::v1::Incident>> recent_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_INCIDENT_FEED_H_
