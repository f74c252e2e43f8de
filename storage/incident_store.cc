#include "storage/incident_store.h"

#include <algorithm>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"

namespace mfr::storage {
namespace {

constexpr char kIdPrefix[] = "inc-";

std::optional<uint64_t> NumberOf(const std::string& id) {
  uint64_t n = 0;
  if (!absl::StartsWith(id, kIdPrefix) ||
      !absl::SimpleAtoi(absl::string_view(id).substr(4), &n)) {
    return std::nullopt;
  }
  return n;
}

}  // namespace

std::string IncidentStore::IdFor(uint64_t number) {
  return absl::StrCat(kIdPrefix, number);
}

absl::StatusOr<std::optional<std::string>> IncidentStore::FindReport(
    const std::string& report_id) const {
  std::string value;
  auto s = db_->raw()->Get(rocksdb::ReadOptions(), db_->cf(Family::kReports),
                           report_id, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading report");
  return std::optional<std::string>(value);
}

absl::Status IncidentStore::Put(const mfr::v1::Incident& incident,
                                const std::vector<std::string>& new_report_ids,
                                const ActionChanges& actions) {
  auto number = NumberOf(incident.id());
  if (!number) return absl::InvalidArgumentError("malformed incident id");
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Family::kIncidents), U64Key(*number),
            incident.SerializeAsString());
  batch.Put(db_->cf(Family::kIncidentsByDevice),
            IncidentDeviceKey(incident.host(), incident.device(), *number), "");
  for (const std::string& report : new_report_ids) {
    batch.Put(db_->cf(Family::kReports), report, incident.id());
  }
  for (const mfr::v1::Action& action : actions.queued) {
    batch.Put(db_->cf(Family::kActions),
              PendingActionKey(incident.host(), action.id()),
              action.SerializeAsString());
  }
  for (const std::string& id : actions.answered) {
    batch.Delete(db_->cf(Family::kActions),
                 PendingActionKey(incident.host(), id));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->raw()->Write(wo, &batch), "storing incident");
}

absl::Status IncidentStore::ScanPendingActions(
    const std::string& host,
    const std::function<bool(const mfr::v1::Action&)>& visit) const {
  const std::string prefix = LengthPrefixed(host);
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(Family::kActions)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    mfr::v1::Action action;
    if (!action.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable pending action");
    }
    if (!visit(action)) break;
  }
  return FromRocks(it->status(), "scanning pending actions");
}

absl::StatusOr<mfr::v1::Incident> IncidentStore::Get(
    const std::string& id) const {
  auto number = NumberOf(id);
  std::string value;
  auto s = number ? db_->raw()->Get(rocksdb::ReadOptions(),
                                    db_->cf(Family::kIncidents),
                                    U64Key(*number), &value)
                  : rocksdb::Status::NotFound();
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no incident \"", id, "\""));
  }
  if (!s.ok()) return FromRocks(s, "reading incident");
  mfr::v1::Incident incident;
  if (!incident.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("unreadable incident ", id));
  }
  return incident;
}

absl::Status IncidentStore::ScanDevice(
    const std::string& host, const std::string& device,
    const std::function<bool(const mfr::v1::Incident&)>& visit) const {
  const std::string prefix = IncidentDevicePrefix(host, device);
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(Family::kIncidentsByDevice)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (it->key().size() != prefix.size() + 8) continue;
    auto incident = Get(
        IdFor(ReadU64(absl::string_view(it->key().data() + prefix.size(), 8))));
    if (!incident.ok()) return incident.status();
    if (!visit(*incident)) break;
  }
  return FromRocks(it->status(), "scanning a device's incidents");
}

absl::Status IncidentStore::Scan(
    const std::string& after_id, const std::string& host,
    const std::function<bool(const mfr::v1::Incident&)>& visit) const {
  uint64_t start = 0;
  if (!after_id.empty()) {
    auto number = NumberOf(after_id);
    if (!number) return absl::InvalidArgumentError("malformed page token");
    start = *number + 1;
  }
  if (!host.empty()) return ScanHost(host, start, visit);
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(Family::kIncidents)));
  for (it->Seek(U64Key(start)); it->Valid(); it->Next()) {
    mfr::v1::Incident incident;
    if (!incident.ParseFromArray(it->value().data(),
                                 static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable incident record");
    }
    if (!visit(incident)) break;
  }
  return FromRocks(it->status(), "scanning incidents");
}

absl::Status IncidentStore::ScanHost(
    const std::string& host, uint64_t start,
    const std::function<bool(const mfr::v1::Incident&)>& visit) const {
  const std::string prefix = LengthPrefixed(host);
  std::vector<uint64_t> numbers;
  std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator(
      rocksdb::ReadOptions(), db_->cf(Family::kIncidentsByDevice)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const uint64_t n =
        ReadU64(absl::string_view(it->key().data() + it->key().size() - 8, 8));
    if (n >= start) numbers.push_back(n);
  }
  if (auto s = FromRocks(it->status(), "scanning a host's incidents");
      !s.ok()) {
    return s;
  }
  std::sort(numbers.begin(), numbers.end());
  for (uint64_t n : numbers) {
    auto incident = Get(IdFor(n));
    if (!incident.ok()) return incident.status();
    if (!visit(*incident)) break;
  }
  return absl::OkStatus();
}

}  // namespace mfr::storage
