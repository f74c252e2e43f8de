// Incidents and the reports that made them, in RocksDB.
//
//   incidents: u64 incident number -> mfr.v1.Incident   (id "inc-<number>")
//   reports:   report id           -> incident id        (deduplication)
//   incidents_by_device: host | device | number -> ""   (the incidents of
//              one device without scanning the whole fleet's)
//   actions:   host | action id -> mfr.v1.Action       (the per-host outbox
//              of recovery actions not yet answered by the agent)
//
// Put writes an incident, its new report ids and its outbox changes in one
// batch, so a report is never recorded without its incident and an action
// is queued exactly when its incident records it. Numbers come from the
// registry's id counter, so ids are never reused and list in creation order.
// Thread-safe (over rocksdb::DB); callers serialise read-modify-write of
// one incident themselves.
#ifndef MFR_STORAGE_INCIDENT_STORE_H_
#define MFR_STORAGE_INCIDENT_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mfr/v1/types.pb.h"
#include "storage/db.h"

namespace mfr::storage {

// Outbox changes that go with an incident update.
struct ActionChanges {
  std::vector<mfr::v1::Action> queued;  // new actions for incident.host()
  std::vector<std::string> answered;    // action ids with a result now
};

class IncidentStore {
 public:
  explicit IncidentStore(Db* db) : db_(db) {}

  static std::string IdFor(uint64_t number);  // "inc-42"

  // The incident a report id already belongs to, if any.
  absl::StatusOr<std::optional<std::string>> FindReport(
      const std::string& report_id) const;

  // Creates or replaces `incident` (its id must come from IdFor) and maps
  // `new_report_ids` to it.
  absl::Status Put(const mfr::v1::Incident& incident,
                   const std::vector<std::string>& new_report_ids,
                   const ActionChanges& actions = {});

  // Visits the host's unanswered actions in id order until `visit`
  // returns false.
  absl::Status ScanPendingActions(
      const std::string& host,
      const std::function<bool(const mfr::v1::Action&)>& visit) const;

  // NotFound for an unknown or malformed id.
  absl::StatusOr<mfr::v1::Incident> Get(const std::string& id) const;

  // Visits the incidents of one host's device, oldest first, until `visit`
  // returns false.
  absl::Status ScanDevice(
      const std::string& host, const std::string& device,
      const std::function<bool(const mfr::v1::Incident&)>& visit) const;

  // Visits incidents in id order starting after `after_id` ("" = from the
  // first) until `visit` returns false; with a non-empty `host`, only that
  // host's incidents (read through the device index, not a fleet scan).
  absl::Status Scan(
      const std::string& after_id, const std::string& host,
      const std::function<bool(const mfr::v1::Incident&)>& visit) const;

 private:
  absl::Status ScanHost(
      const std::string& host, uint64_t start,
      const std::function<bool(const mfr::v1::Incident&)>& visit) const;

  Db* const db_;
};

}  // namespace mfr::storage

#endif  // MFR_STORAGE_INCIDENT_STORE_H_
