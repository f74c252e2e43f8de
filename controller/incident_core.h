// Incidents, free of gRPC: a CorruptRange report is checked, deduplicated
// by report id, translated up the host's device stack, looked up in the
// reverse map and stored as a new incident or merged into an unresolved
// incident of the same device, updated within kMergeWindow, whose range it
// overlaps or comes within kMergeGapBytes of (the kernel retries a failed
// request page by page: that is one incident). Each change plans recovery
// actions (recovery/planner.h); they are stored in the host's outbox with
// the incident and offered to the host's connected agent. Action results
// update the incident; a completed snapshot refresh re-resolves it.
// Operators acknowledge and resolve incidents. (Reading them is
// IncidentQueries.) Thread-safe: changes are applied one at a time.
#ifndef MFR_CONTROLLER_INCIDENT_CORE_H_
#define MFR_CONTROLLER_INCIDENT_CORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/byte_range.h"
#include "controller/incident_content.h"
#include "controller/incident_feed.h"
#include "controller/metrics.h"
#include "controller/recovery/action_dispatcher.h"
#include "controller/recovery/recovery_coordinator.h"
#include "mfr/v1/agent_service.pb.h"
#include "mfr/v1/query_service.pb.h"
#include "storage/filesystem_registry.h"
#include "storage/incident_store.h"
#include "storage/reverse_map_reader.h"

namespace mfr::controller {

inline constexpr size_t kMaxReportIdBytes = 128;
inline constexpr int kMaxEvidenceLines = 64;
inline constexpr size_t kMaxEvidenceLineBytes = 4096;
// Reports this close to an open incident of the same device join it: the
// kernel retries a failed request page by page and logs each page's first
// sector with no length, so the estimates of one request lie up to a page
// apart.
inline constexpr uint64_t kMergeGapBytes = 4096;
// A report joins an unresolved incident updated this recently; later
// damage nearby is a new incident.
inline constexpr absl::Duration kMergeWindow = absl::Minutes(10);
inline constexpr size_t kMaxCommentBytes = 4096;

class IncidentCore {
 public:
  // Collaborators must outlive the core.
  IncidentCore(const storage::Db* db, storage::FilesystemRegistry* registry,
               storage::IncidentStore* store, IncidentFeed* feed,
               recovery::RecoveryCoordinator* recovery,
               recovery::ActionDispatcher* dispatcher,
               ControllerMetrics* metrics)
      : db_(db),
        registry_(registry),
        store_(store),
        feed_(feed),
        recovery_(recovery),
        dispatcher_(dispatcher),
        metrics_(metrics),
        reader_(db) {}

  // Sets the incident and pending-action gauges from what is stored
  // (once, at startup).
  absl::Status LoadMetrics();

  // InvalidArgument for malformed requests or a range past the device's
  // end; NotFound for an unknown host or device. A repeated report id
  // answers duplicate=true with the incident it made, changing nothing.
  absl::StatusOr<mfr::v1::CorruptRangeResponse> Report(
      const mfr::v1::CorruptRangeRequest& request, absl::Time now);

  // Records an agent's answer to an action of `host`. NotFound for an
  // action the host does not have; a repeated answer changes nothing.
  absl::Status ApplyActionResult(const std::string& host,
                                 const mfr::v1::ActionResult& result,
                                 absl::Time now);
  // The host's unanswered actions, oldest incident first.
  absl::StatusOr<std::vector<mfr::v1::Action>> PendingActions(
      const std::string& host) const;

  // FailedPrecondition once resolved; InvalidArgument for a missing
  // operator or (resolve) comment.
  absl::StatusOr<mfr::v1::Incident> Acknowledge(
      const mfr::v1::AcknowledgeIncidentRequest& request, absl::Time now);
  absl::StatusOr<mfr::v1::Incident> ResolveIncident(
      const mfr::v1::ResolveIncidentRequest& request, absl::Time now);

 private:
  // Translates and looks up owners; `topology` receives the host's.
  absl::StatusOr<std::vector<ResolvedPiece>> Resolve(
      const std::string& host, const std::string& device, const ByteSpan& range,
      mfr::v1::Topology* topology);
  // Stores the incident with its outbox changes, then tells watchers, the
  // host's agent and the gauges (`before`: the stored version, or null).
  absl::Status Commit(const mfr::v1::Incident& incident,
                      const mfr::v1::Incident* before,
                      const std::vector<std::string>& new_report_ids,
                      const storage::ActionChanges& actions);
  absl::StatusOr<ResolvedPiece> LookUpOwners(
      const std::vector<storage::FilesystemRecord>& filesystems,
      const rocksdb::Snapshot* view, resolve::TranslationResult translation);
  // Validates operator input, applies `change` (which returns the audit
  // line) to an unresolved incident and commits it.
  absl::StatusOr<mfr::v1::Incident> OperatorChange(
      const std::string& id, const std::string& operator_name,
      const std::string& comment, bool comment_required, absl::Time now,
      const std::function<std::string(mfr::v1::Incident*)>& change);
  absl::Status ApplyResultLocked(
      const std::string& host, const mfr::v1::ActionResult& result,
      absl::Time now,
      std::vector<mfr::v1::CorruptRangeRequest>* found_elsewhere)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Another unresolved incident of the device over the incident's range
  // ("" if none).
  absl::StatusOr<std::string> FindTwin(const mfr::v1::Incident& incident)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // An unresolved incident of the device updated within kMergeWindow that
  // `range` overlaps or comes near, or (an estimate) whose probe read it.
  absl::StatusOr<std::optional<mfr::v1::Incident>> FindMergeable(
      const std::string& host, const std::string& device, const ByteSpan& range,
      bool exact, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const storage::Db* const db_;
  storage::FilesystemRegistry* const registry_;
  storage::IncidentStore* const store_;
  IncidentFeed* const feed_;
  recovery::RecoveryCoordinator* const recovery_;
  recovery::ActionDispatcher* const dispatcher_;
  ControllerMetrics* const metrics_;
  storage::ReverseMapReader reader_;
  absl::Mutex mu_;  // serialises Report's read-modify-write
};

// OK for a well-formed report (sizes, enums, range); InvalidArgument naming
// the field otherwise. Pure.
absl::Status ValidateReport(const mfr::v1::CorruptRangeRequest& request);

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_INCIDENT_CORE_H_
