#include "controller/agent_core.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace mfr::controller {
absl::Status ValidateHostName(const std::string& host) {
  if (host.empty() || host.size() > kMaxHostNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("host name must be 1..", kMaxHostNameBytes, " bytes, got ",
                     host.size()));
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat("host name \"", absl::CHexEscape(host),
                       "\" has characters outside [A-Za-z0-9._-]"));
    }
  }
  return absl::OkStatus();
}

absl::Status AgentCore::Register(const mfr::v1::RegisterRequest& request,
                                 absl::Time now) {
  if (auto s = ValidateHostName(request.host()); !s.ok()) return s;
  if (request.topology().devices_size() > kMaxTopologyDevices ||
      request.topology().mounts_size() > kMaxTopologyMounts) {
    return absl::InvalidArgumentError(
        "topology has too many devices or mounts");
  }
  storage::HostRecord record;
  record.set_host(request.host());
  record.set_agent_version(request.agent_version());
  *record.mutable_last_seen() = ToProtoTime(now);
  *record.mutable_topology() = request.topology();
  return registry_->PutHost(record);
}

absl::Status SnapshotUpload::Accept(
    const mfr::v1::SnapshotChunk& chunk,
    const std::function<absl::Status(const std::string&)>& authorize) {
  if (has_footer_) return absl::InvalidArgumentError("data after the footer");
  switch (chunk.part_case()) {
    case mfr::v1::SnapshotChunk::kHeader:
      if (writer_ != nullptr)
        return absl::InvalidArgumentError("second header");
      if (auto s = authorize(chunk.header().host()); !s.ok()) return s;
      return AcceptHeader(chunk.header());
    case mfr::v1::SnapshotChunk::kBatch:
      if (writer_ == nullptr) {
        return absl::InvalidArgumentError("batch before the header");
      }
      return writer_->AddBatch(chunk.batch());
    case mfr::v1::SnapshotChunk::kFooter:
      if (writer_ == nullptr) {
        return absl::InvalidArgumentError("footer before the header");
      }
      has_footer_ = true;
      footer_ = chunk.footer();
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("empty snapshot chunk");
  }
}

absl::Status SnapshotUpload::AcceptHeader(
    const mfr::v1::SnapshotHeader& header) {
  if (auto s = ValidateHostName(header.host()); !s.ok()) return s;
  auto host = registry_->GetHost(header.host());
  if (absl::IsNotFound(host.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("host \"", header.host(),
                     "\" must Register before uploading snapshots"));
  }
  if (!host.ok()) return host.status();
  auto writer = storage::SnapshotWriter::Begin(db_, registry_, header);
  if (!writer.ok()) return writer.status();
  writer_ = *std::move(writer);
  return registry_->TouchHost(header.host(), ToProtoTime(now_));
}

absl::StatusOr<mfr::v1::UploadSnapshotResponse> SnapshotUpload::Finish() {
  if (writer_ == nullptr) return absl::InvalidArgumentError("empty upload");
  if (!has_footer_) {
    return absl::InvalidArgumentError(
        "the stream ended without a footer; the previous snapshot stays");
  }
  return writer_->Commit(footer_);
}

}  // namespace mfr::controller
