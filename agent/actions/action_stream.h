// The agent's end of the Actions stream: connects, says hello with the
// host name, and for each action received answers from the journal if the
// id was seen before (so a re-sent action never runs twice), or marks it
// started, executes it, stores the result and answers. Actions run one at
// a time, in the order they arrive. The stream is reopened with backoff
// when it ends, until `stop` is notified.
#ifndef MFR_AGENT_ACTIONS_ACTION_STREAM_H_
#define MFR_AGENT_ACTIONS_ACTION_STREAM_H_

#include <functional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "agent/actions/action_executor.h"
#include "agent/actions/action_journal.h"
#include "mfr/v1/agent_service.grpc.pb.h"

namespace mfr::agent::actions {

// Optional callbacks (metrics): the stream opened or closed; an action ran
// here (journal replays are not reported).
struct ActionStreamObserver {
  std::function<void(bool connected)> on_connection;
  std::function<void(const mfr::v1::Action&, const mfr::v1::ActionResult&)>
      on_executed;
};

struct ActionStreamStats {
  uint64_t executed = 0;  // run here
  uint64_t replayed = 0;  // answered from the journal
};

// One connection: returns when the stream ends (OK if the controller
// closed it or `stop` was notified, else the stream's status).
absl::Status ServeActionsOnce(mfr::v1::AgentService::StubInterface* stub,
                              const std::string& host, ActionJournal* journal,
                              ActionExecutor* executor,
                              const absl::Notification& stop,
                              ActionStreamStats* stats, std::ostream* log,
                              const ActionStreamObserver& observer = {});

// Reconnects until `stop`, waiting 1 s doubling to 30 s between failures.
void ServeActions(mfr::v1::AgentService::StubInterface* stub,
                  const std::string& host, ActionJournal* journal,
                  ActionExecutor* executor, const absl::Notification& stop,
                  std::ostream* log, const ActionStreamObserver& observer = {});

}  // namespace mfr::agent::actions

#endif  // MFR_AGENT_ACTIONS_ACTION_STREAM_H_
