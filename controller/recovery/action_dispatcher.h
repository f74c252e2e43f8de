// Connected agents' action streams. The durable copy of every unanswered
// action lives in the incident store (the per-host outbox); this class only
// moves actions to whichever stream of the host is open now, and a host
// that connects later gets its outbox replayed by the stream handler. At
// most one session per host: a new connection closes the older one.
// Thread-safe.
#ifndef MFR_CONTROLLER_RECOVERY_ACTION_DISPATCHER_H_
#define MFR_CONTROLLER_RECOVERY_ACTION_DISPATCHER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::recovery {

// One agent's open stream: a queue the stream's writer drains.
class AgentSession {
 public:
  // `cancel` ends the stream (so a blocked read returns) when the session
  // is closed from outside: replaced by a newer connection or shut down.
  AgentSession(std::string host, std::function<void()> cancel)
      : host_(std::move(host)), cancel_(std::move(cancel)) {}

  const std::string& host() const { return host_; }
  void Push(mfr::v1::Action action);
  // The next action, or nullopt when closed or after `timeout`.
  std::optional<mfr::v1::Action> Pop(absl::Duration timeout);
  void Close();
  bool closed();

 private:
  const std::string host_;
  const std::function<void()> cancel_;
  absl::Mutex mu_;
  std::deque<mfr::v1::Action> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

class ActionDispatcher {
 public:
  // Registers the host's new session, closing an older one.
  void Attach(const std::shared_ptr<AgentSession>& session);
  // Forgets the session if it is still the host's current one.
  void Detach(const std::shared_ptr<AgentSession>& session);
  // Hands actions to the host's open session; without one they wait in the
  // outbox for the next connection.
  void Offer(const std::string& host,
             const std::vector<mfr::v1::Action>& actions);
  bool Connected(const std::string& host);
  size_t ConnectedCount();
  // Closes every session (controller shutdown).
  void CloseAll();

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<AgentSession>> sessions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace mfr::controller::recovery

#endif  // MFR_CONTROLLER_RECOVERY_ACTION_DISPATCHER_H_
