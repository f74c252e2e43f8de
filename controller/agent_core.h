// The agent-facing side of the controller, free of gRPC: registration and
// snapshot uploads. Thread-safe; one SnapshotUpload per stream.
#ifndef MFR_CONTROLLER_AGENT_CORE_H_
#define MFR_CONTROLLER_AGENT_CORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mfr/v1/agent_service.pb.h"
#include "storage/db.h"
#include "storage/filesystem_registry.h"
#include "storage/snapshot_writer.h"

namespace mfr::controller {

// Limits on what an agent may send.
inline constexpr int kMaxTopologyDevices = 4096;
inline constexpr int kMaxTopologyMounts = 4096;
inline constexpr size_t kMaxHostNameBytes = 253;  // a DNS name

// The chunk sequence of one UploadSnapshot stream: header, batches, footer.
// Anything out of sequence is InvalidArgument and voids the upload; the
// previous snapshot stays current unless Finish succeeds.
class SnapshotUpload {
 public:
  SnapshotUpload(storage::Db* db, storage::FilesystemRegistry* registry,
                 absl::Time now)
      : db_(db), registry_(registry), now_(now) {}

  // `authorize` is called with the header's host before anything is
  // written; its error ends the upload (e.g. PermissionDenied).
  absl::Status Accept(
      const mfr::v1::SnapshotChunk& chunk,
      const std::function<absl::Status(const std::string&)>& authorize);

  // Commits after the footer. InvalidArgument when the stream ended early.
  absl::StatusOr<mfr::v1::UploadSnapshotResponse> Finish();

 private:
  absl::Status AcceptHeader(const mfr::v1::SnapshotHeader& header);

  storage::Db* const db_;
  storage::FilesystemRegistry* const registry_;
  const absl::Time now_;
  std::unique_ptr<storage::SnapshotWriter> writer_;
  bool has_footer_ = false;
  mfr::v1::SnapshotFooter footer_;
};

class AgentCore {
 public:
  AgentCore(storage::Db* db, storage::FilesystemRegistry* registry)
      : db_(db), registry_(registry) {}

  // Stores the host's topology; InvalidArgument for a bad host name or an
  // oversized topology.
  absl::Status Register(const mfr::v1::RegisterRequest& request,
                        absl::Time now);

  std::unique_ptr<SnapshotUpload> StartUpload(absl::Time now) {
    return std::make_unique<SnapshotUpload>(db_, registry_, now);
  }

 private:
  storage::Db* const db_;
  storage::FilesystemRegistry* const registry_;
};

// InvalidArgument unless `host` is 1..253 bytes of [A-Za-z0-9._-].
absl::Status ValidateHostName(const std::string& host);

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_AGENT_CORE_H_
