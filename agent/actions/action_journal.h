// The agent's durable memory of actions, so that no action runs twice:
// before an action runs its id is marked started; when it ends its result
// is stored. Both are files under the journal directory, written with
// fsync and an atomic rename:
//   <id>.started   the action began
//   <id>.result    its mfr.v1.ActionResult
// An id that started but has no result was interrupted (agent crash or
// restart mid-action): it is never run again, and answers FAILED saying
// so, because running half-done destructive work a second time on a guess
// is worse than asking an operator. Thread-compatible.
#ifndef MFR_AGENT_ACTIONS_ACTION_JOURNAL_H_
#define MFR_AGENT_ACTIONS_ACTION_JOURNAL_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::actions {

class ActionJournal {
 public:
  // Creates `dir` if needed.
  static absl::StatusOr<std::unique_ptr<ActionJournal>> Open(std::string dir);

  // InvalidArgument unless the id is 1..128 of [A-Za-z0-9._-] and does not
  // start with a dot (it becomes a file name).
  static absl::Status ValidateId(const std::string& id);

  // The answer for an id seen before: its stored result, or a FAILED
  // result for an interrupted one; nullopt for a new id.
  absl::StatusOr<std::optional<mfr::v1::ActionResult>> Prior(
      const std::string& id) const;
  absl::Status MarkStarted(const std::string& id);
  absl::Status Finish(const mfr::v1::ActionResult& result);

 private:
  explicit ActionJournal(std::string dir) : dir_(std::move(dir)) {}
  std::string PathOf(const std::string& id, const char* suffix) const;

  const std::string dir_;
};

}  // namespace mfr::agent::actions

#endif  // MFR_AGENT_ACTIONS_ACTION_JOURNAL_H_
