#include "controller/incident_core.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/proto_range.h"
#include "common/proto_time.h"
#include "controller/agent_core.h"
#include "controller/probe_narrowing.h"
#include "controller/recovery/outcome.h"

namespace mfr::controller {
namespace {

using mfr::v1::Incident;

uint64_t PlusGap(uint64_t end) {
  return end > std::numeric_limits<uint64_t>::max() - kMergeGapBytes
             ? std::numeric_limits<uint64_t>::max()
             : end + kMergeGapBytes;
}

mfr::v1::OwnerExtent NotInSnapshot(const ByteSpan& range) {
  mfr::v1::OwnerExtent owner;
  owner.set_kind(mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT);
  owner.mutable_device_range()->set_offset_bytes(range.offset);
  owner.mutable_device_range()->set_length_bytes(range.length);
  return owner;
}

}  // namespace

absl::Status ValidateReport(const mfr::v1::CorruptRangeRequest& r) {
  if (r.report_id().empty() || r.report_id().size() > kMaxReportIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("report_id must be 1..", kMaxReportIdBytes, " bytes"));
  }
  if (auto s = ValidateHostName(r.host()); !s.ok()) return s;
  if (r.device().empty() || r.device().size() > 255) {
    return absl::InvalidArgumentError("device must be 1..255 bytes");
  }
  if (auto s = ValidateSpan(SpanOf(r.range())); !s.ok()) return s;
  if (r.evidence_size() > kMaxEvidenceLines) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxEvidenceLines, " evidence lines"));
  }
  for (const auto& line : r.evidence()) {
    if (line.size() > kMaxEvidenceLineBytes) {
      return absl::InvalidArgumentError("evidence line too long");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<mfr::v1::CorruptRangeResponse> IncidentCore::Report(
    const mfr::v1::CorruptRangeRequest& request, absl::Time now) {
  if (auto s = ValidateReport(request); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  mfr::v1::CorruptRangeResponse response;
  auto seen = store_->FindReport(request.report_id());
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) {
    response.set_incident_id(**seen);
    response.set_duplicate(true);
    return response;
  }
  ByteSpan range = SpanOf(request.range());
  auto neighbour = FindMergeable(request.host(), request.device(), range,
                                 request.length_exact(), now);
  if (!neighbour.ok()) return neighbour.status();
  Incident incident;
  ByteSpan old_range;  // empty for a new incident
  if (neighbour->has_value()) {
    incident = **neighbour;
    const ByteSpan old = SpanOf(incident.range());
    old_range = old;
    if (!request.length_exact() && EchoOfProbe(incident, range)) {
      range = old;  // an echo of the probe's reads: the estimate adds nothing
    } else {
      const uint64_t start = std::min(old.offset, range.offset);
      range = {start, std::max(old.end(), range.end()) - start};
    }
  } else {
    auto number = registry_->NextId();
    if (!number.ok()) return number.status();
    incident.set_id(storage::IncidentStore::IdFor(*number));
    incident.set_host(request.host());
    incident.set_device(request.device());
    incident.set_state(mfr::v1::INCIDENT_STATE_OPEN);
    *incident.mutable_created() = ToProtoTime(now);
  }
  mfr::v1::Topology topology;
  auto pieces = Resolve(request.host(), request.device(), range, &topology);
  if (!pieces.ok()) return pieces.status();
  incident.mutable_range()->set_offset_bytes(range.offset);
  incident.mutable_range()->set_length_bytes(range.length);
  if (!request.length_exact() && !(range == old_range)) {
    incident.set_range_estimated(true);  // new estimated bytes: probe them
  }
  *incident.mutable_updated() = ToProtoTime(now);
  incident.add_report_ids(request.report_id());
  incident.add_audit(recovery::AuditLine(
      now,
      absl::StrCat(neighbour->has_value() ? "merged" : "opened by", " report ",
                   request.report_id(), " (",
                   mfr::v1::ErrorSource_Name(request.source()), ", ",
                   mfr::v1::ErrorKind_Name(request.kind()), ", ",
                   request.device(), " bytes ", request.range().offset_bytes(),
                   "+", request.range().length_bytes(),
                   request.length_exact() ? "" : ", length estimated", ")")));
  FillIncidentContent(*pieces, &incident);
  storage::ActionChanges actions;
  actions.queued = recovery_->Plan(&incident, topology, now);
  if (auto s = Commit(incident, neighbour->has_value() ? &**neighbour : nullptr,
                      {request.report_id()}, actions);
      !s.ok()) {
    return s;
  }
  response.set_incident_id(incident.id());
  return response;
}

absl::Status IncidentCore::Commit(
    const Incident& incident, const Incident* before,
    const std::vector<std::string>& new_report_ids,
    const storage::ActionChanges& actions) {
  if (auto s = store_->Put(incident, new_report_ids, actions); !s.ok()) {
    return s;
  }
  metrics_->ChangeIncident(before, incident);
  metrics_->AddPendingActions(static_cast<int64_t>(actions.queued.size()) -
                              static_cast<int64_t>(actions.answered.size()));
  feed_->Publish(incident);
  dispatcher_->Offer(incident.host(), actions.queued);
  return absl::OkStatus();
}

absl::Status IncidentCore::ApplyActionResult(
    const std::string& host, const mfr::v1::ActionResult& result,
    absl::Time now) {
  std::vector<mfr::v1::CorruptRangeRequest> found_elsewhere;
  {
    absl::MutexLock lock(&mu_);
    if (auto s = ApplyResultLocked(host, result, now, &found_elsewhere);
        !s.ok()) {
      return s;
    }
  }
  // More damage the probe found away from this incident: incidents of
  // their own, like any report.
  for (const auto& report : found_elsewhere) {
    if (auto s = Report(report, now); !s.ok()) return s.status();
  }
  return absl::OkStatus();
}

absl::Status IncidentCore::ApplyResultLocked(
    const std::string& host, const mfr::v1::ActionResult& result,
    absl::Time now,
    std::vector<mfr::v1::CorruptRangeRequest>* found_elsewhere) {
  const std::string& id = result.action_id();
  const size_t dot = id.rfind('.');
  if (id.empty() || id.size() > kMaxReportIdBytes || dot == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed action id \"", id, "\""));
  }
  auto incident = store_->Get(id.substr(0, dot));
  if (!incident.ok() || incident->host() != host) {
    return absl::NotFoundError(
        absl::StrCat("host ", host, " has no action ", id));
  }
  storage::ActionChanges actions;
  actions.answered.push_back(id);
  const Incident before = *incident;
  const recovery::ResultFate fate =
      recovery_->ApplyResult(&*incident, result, now);
  if (fate == recovery::ResultFate::kUnknownAction) {
    return absl::NotFoundError(
        absl::StrCat("host ", host, " has no action ", id));
  }
  if (fate == recovery::ResultFate::kAlreadyAnswered) {
    return store_->Put(*incident, {}, actions);  // make sure it left the outbox
  }
  auto record = std::find_if(
      incident->actions().begin(), incident->actions().end(),
      [&](const mfr::v1::ActionRecord& r) { return r.action().id() == id; });
  metrics_->CountActionResult(record->action(), result,
                              now - FromProtoTime(record->planned()));
  const bool done = result.outcome() == mfr::v1::ACTION_OUTCOME_DONE;
  bool refreshed = record->action().has_refresh_snapshot() && done;
  if (record->action().has_probe()) {
    // Whatever the probe says, the estimate has been looked at.
    incident->set_range_estimated(false);
    if (done && !result.bad_device_ranges().empty()) {
      *found_elsewhere = NarrowToProbe(result, now, &*incident);
      refreshed = true;  // resolve the narrowed range again
      auto twin = FindTwin(*incident);
      if (!twin.ok()) return twin.status();
      if (!twin->empty()) {
        // Another incident already holds these blocks (two estimates of
        // one failure, e.g. a failed readahead and its retry).
        incident->set_state(mfr::v1::INCIDENT_STATE_RESOLVED);
        incident->set_resolution(absl::StrCat("duplicate of ", *twin));
        incident->add_audit(recovery::AuditLine(
            now, absl::StrCat("the probe found the blocks of ", *twin,
                              ": closed as its duplicate")));
        *incident->mutable_updated() = ToProtoTime(now);
        return Commit(*incident, &before, {}, actions);
      }
    }
  }
  // A fresh snapshot or a narrowed range: say again what lives there.
  // Either way the result may call for more (a stale answer: a snapshot),
  // which the planner decides from the host's topology.
  mfr::v1::Topology topology;
  if (refreshed) {
    auto pieces =
        Resolve(host, incident->device(), SpanOf(incident->range()), &topology);
    if (!pieces.ok()) return pieces.status();
    incident->add_audit(recovery::AuditLine(
        now, "resolved again (fresh snapshot or narrowed range)"));
    FillIncidentContent(*pieces, &*incident);
  } else {
    auto host_record = registry_->GetHost(host);
    if (!host_record.ok()) return host_record.status();
    topology = host_record->topology();
  }
  actions.queued = recovery_->Plan(&*incident, topology, now);
  *incident->mutable_updated() = ToProtoTime(now);
  return Commit(*incident, &before, {}, actions);
}

absl::Status IncidentCore::LoadMetrics() {
  absl::MutexLock lock(&mu_);
  auto s = store_->Scan("", "", [&](const Incident& incident) {
    metrics_->ChangeIncident(nullptr, incident);
    for (const auto& record : incident.actions()) {
      if (!record.has_result()) metrics_->AddPendingActions(1);
    }
    return true;
  });
  return s;
}

absl::StatusOr<std::string> IncidentCore::FindTwin(const Incident& incident) {
  std::string twin;
  const ByteSpan range = SpanOf(incident.range());
  auto s = store_->ScanDevice(
      incident.host(), incident.device(), [&](const Incident& other) {
        if (other.id() == incident.id() ||
            other.state() == mfr::v1::INCIDENT_STATE_RESOLVED ||
            !Intersect(SpanOf(other.range()), range)) {
          return true;
        }
        twin = other.id();
        return false;
      });
  if (!s.ok()) return s;
  return twin;
}

absl::StatusOr<std::vector<mfr::v1::Action>> IncidentCore::PendingActions(
    const std::string& host) const {
  std::vector<mfr::v1::Action> actions;
  auto s = store_->ScanPendingActions(host, [&](const mfr::v1::Action& a) {
    actions.push_back(a);
    return true;
  });
  if (!s.ok()) return s;
  return actions;
}

namespace {

absl::Status CheckOperatorInput(const std::string& id,
                                const std::string& operator_name,
                                const std::string& comment,
                                bool comment_required) {
  if (id.empty()) return absl::InvalidArgumentError("incident id is required");
  if (operator_name.empty() || operator_name.size() > 255) {
    return absl::InvalidArgumentError("operator must be 1..255 bytes");
  }
  if (comment_required && comment.empty()) {
    return absl::InvalidArgumentError(
        "a comment is required (e.g. \"restored from backup\")");
  }
  if (comment.size() > kMaxCommentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("comment longer than ", kMaxCommentBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Incident> IncidentCore::Acknowledge(
    const mfr::v1::AcknowledgeIncidentRequest& request, absl::Time now) {
  return OperatorChange(
      request.id(), request.operator_(), request.comment(), false, now,
      [&](Incident* incident) {
        incident->set_state(mfr::v1::INCIDENT_STATE_ACKNOWLEDGED);
        return absl::StrCat("acknowledged by ", request.operator_(),
                            request.comment().empty() ? "" : ": ",
                            request.comment());
      });
}

absl::StatusOr<Incident> IncidentCore::ResolveIncident(
    const mfr::v1::ResolveIncidentRequest& request, absl::Time now) {
  return OperatorChange(request.id(), request.operator_(), request.comment(),
                        true, now, [&](Incident* incident) {
                          incident->set_state(mfr::v1::INCIDENT_STATE_RESOLVED);
                          incident->set_resolution(request.comment());
                          return absl::StrCat("resolved by ",
                                              request.operator_(), ": ",
                                              request.comment());
                        });
}

absl::StatusOr<Incident> IncidentCore::OperatorChange(
    const std::string& id, const std::string& operator_name,
    const std::string& comment, bool comment_required, absl::Time now,
    const std::function<std::string(Incident*)>& change) {
  if (auto s = CheckOperatorInput(id, operator_name, comment, comment_required);
      !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  auto incident = store_->Get(id);
  if (!incident.ok()) return incident.status();
  if (incident->state() == mfr::v1::INCIDENT_STATE_RESOLVED) {
    return absl::FailedPreconditionError(
        absl::StrCat(id, " is already resolved"));
  }
  const Incident before = *incident;
  const std::string what = change(&*incident);
  *incident->mutable_updated() = ToProtoTime(now);
  incident->add_audit(recovery::AuditLine(now, what));
  if (auto s = Commit(*incident, &before, {}, {}); !s.ok()) return s;
  return *incident;
}

absl::StatusOr<std::optional<Incident>> IncidentCore::FindMergeable(
    const std::string& host, const std::string& device, const ByteSpan& range,
    bool exact, absl::Time now) {
  std::optional<Incident> found;
  auto s = store_->ScanDevice(host, device, [&](const Incident& incident) {
    if (incident.state() == mfr::v1::INCIDENT_STATE_RESOLVED ||
        now - FromProtoTime(incident.updated()) >= kMergeWindow) {
      return true;
    }
    const ByteSpan other = SpanOf(incident.range());
    const bool near = (other.offset <= PlusGap(range.end()) &&
                       range.offset <= PlusGap(other.end())) ||
                      (!exact && EchoOfProbe(incident, range));
    if (near) {
      found = incident;  // overlapping, touching or a page apart
      return false;
    }
    return true;
  });
  if (!s.ok()) return s;
  return found;
}

absl::StatusOr<std::vector<ResolvedPiece>> IncidentCore::Resolve(
    const std::string& host, const std::string& device, const ByteSpan& range,
    mfr::v1::Topology* topology) {
  const auto current = registry_->Current(host);
  const rocksdb::Snapshot* view = current.view.get();
  auto host_record = registry_->GetHost(host, view);
  if (!host_record.ok()) return host_record.status();
  *topology = host_record->topology();
  resolve::StackTranslator translator(host_record->topology());
  auto translations =
      translator.Translate({device, range.offset, range.length});
  if (!translations.ok()) return translations.status();
  std::vector<ResolvedPiece> pieces;
  for (auto& t : *translations) {
    auto piece = LookUpOwners(*current.records, view, std::move(t));
    if (!piece.ok()) return piece.status();
    pieces.push_back(*std::move(piece));
  }
  return pieces;
}

absl::StatusOr<ResolvedPiece> IncidentCore::LookUpOwners(
    const std::vector<storage::FilesystemRecord>& filesystems,
    const rocksdb::Snapshot* view, resolve::TranslationResult translation) {
  ResolvedPiece piece{std::move(translation), {}, ""};
  const auto& t = piece.translation;
  if (!t.mapped) return piece;
  auto fs = std::find_if(filesystems.begin(), filesystems.end(),
                         [&](const auto& f) { return f.device() == t.device; });
  if (fs == filesystems.end() || fs->storage_generation() == 0) {
    piece.owners.push_back(NotInSnapshot(t.range));
    piece.note = absl::StrCat("no snapshot of ", t.mount.mount_point(),
                              " yet: the agent must send one");
    return piece;
  }
  auto owners = reader_.Lookup(*fs, t.range, view);
  if (absl::IsResourceExhausted(owners.status())) {
    piece.note = std::string(owners.status().message());
    return piece;
  }
  if (!owners.ok()) return owners.status();
  piece.owners = *std::move(owners);
  if (fs->taken().seconds() > 0) {  // an agent that says when it looked
    for (auto& owner : piece.owners) {
      if (owner.inode() != 0) *owner.mutable_snapshot_taken() = fs->taken();
    }
  }
  return piece;
}

}  // namespace mfr::controller
