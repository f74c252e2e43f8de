#include "agent/actions/action_stream.h"

#include <algorithm>
#include <thread>

#include "common/grpc_status.h"
#include "common/proto_time.h"

namespace mfr::agent::actions {

absl::Status ServeActionsOnce(mfr::v1::AgentService::StubInterface* stub,
                              const std::string& host, ActionJournal* journal,
                              ActionExecutor* executor,
                              const absl::Notification& stop,
                              ActionStreamStats* stats, std::ostream* log,
                              const ActionStreamObserver& observer) {
  grpc::ClientContext context;
  auto stream = stub->Actions(&context);
  // Cancels the call when told to stop, so that a blocked Read returns.
  absl::Notification done;
  std::thread canceller([&] {
    while (!done.HasBeenNotified()) {
      if (stop.WaitForNotificationWithTimeout(absl::Milliseconds(200))) {
        context.TryCancel();
        return;
      }
    }
  });
  mfr::v1::AgentMessage hello;
  hello.set_hello_host(host);
  absl::Status status;
  if (stream->Write(hello)) {
    *log << "actions: connected as " << host << std::endl;
    if (observer.on_connection) observer.on_connection(true);
    mfr::v1::Action action;
    while (stream->Read(&action)) {
      mfr::v1::ActionResult result;
      auto prior = journal->Prior(action.id());
      if (!prior.ok()) {
        result.set_action_id(action.id());
        result.set_outcome(mfr::v1::ACTION_OUTCOME_FAILED);
        result.set_detail(std::string(prior.status().message()));
      } else if (prior->has_value()) {
        result = **prior;  // seen before: never run twice
        ++stats->replayed;
        *log << "action " << action.id() << " seen before: answering "
             << mfr::v1::ActionOutcome_Name(result.outcome()) << " again"
             << std::endl;
      } else if (auto s = journal->MarkStarted(action.id()); !s.ok()) {
        result.set_action_id(action.id());
        result.set_outcome(mfr::v1::ACTION_OUTCOME_FAILED);
        result.set_detail(absl::StrCat("not run: journal: ", s.message()));
      } else {
        result = executor->Execute(action);
        *result.mutable_finished() = ToProtoTime(absl::Now());
        ++stats->executed;
        if (observer.on_executed) observer.on_executed(action, result);
        if (auto s = journal->Finish(result); !s.ok()) {
          *log << "action " << action.id() << ": result not journaled: " << s
               << std::endl;
        }
      }
      mfr::v1::AgentMessage answer;
      *answer.mutable_result() = result;
      if (!stream->Write(answer)) break;
    }
  }
  stream->WritesDone();
  status = FromGrpcStatus(stream->Finish());
  if (observer.on_connection) observer.on_connection(false);
  done.Notify();
  canceller.join();
  return stop.HasBeenNotified() ? absl::OkStatus() : status;
}

void ServeActions(mfr::v1::AgentService::StubInterface* stub,
                  const std::string& host, ActionJournal* journal,
                  ActionExecutor* executor, const absl::Notification& stop,
                  std::ostream* log, const ActionStreamObserver& observer) {
  ActionStreamStats stats;
  absl::Duration wait = absl::Seconds(1);
  while (!stop.HasBeenNotified()) {
    const absl::Time started = absl::Now();
    absl::Status s = ServeActionsOnce(stub, host, journal, executor, stop,
                                      &stats, log, observer);
    if (stop.HasBeenNotified()) break;
    if (absl::Now() - started > absl::Seconds(30)) wait = absl::Seconds(1);
    *log << "actions: stream ended (" << s << "), reconnecting in " << wait
         << std::endl;
    stop.WaitForNotificationWithTimeout(wait);
    wait = std::min(wait * 2, absl::Seconds(30));
  }
}

}  // namespace mfr::agent::actions
