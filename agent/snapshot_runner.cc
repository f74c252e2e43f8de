#include "agent/snapshot_runner.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/snapshot/snapshot_producer.h"
#include "agent/topology/snapshot_mount_selection.h"
#include "common/version.h"

namespace mfr::agent {

absl::Status SnapshotRunner::RunOnce() { return Run(options_.mount_points); }

absl::Status SnapshotRunner::Refresh(const std::string& mount_point) {
  return Run({mount_point});
}

absl::Status SnapshotRunner::Run(const std::vector<std::string>& mount_points) {
  absl::MutexLock lock(&mu_);
  topology::TopologyCollector collector(options_.root, probe_);
  auto collected = collector.Collect();
  if (!collected.ok()) return collected.status();
  for (const std::string& warning : collected->warnings) {
    *log_ << "topology: " << warning << "\n";
  }
  for (mfr::v1::Mount& mount : *collected->topology.mutable_mounts()) {
    for (const std::string& path : options_.dax_paths_for_testing) {
      if (absl::StartsWith(path, absl::StrCat(mount.mount_point(), "/"))) {
        mount.set_dax(mfr::v1::DAX_MODE_INODE);
      }
    }
  }
  mfr::v1::RegisterRequest request;
  request.set_host(options_.host);
  request.set_agent_version(kVersion);
  *request.mutable_topology() = collected->topology;
  if (auto s = client_->Register(request); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("register: ", s.message()));
  }
  auto mounts =
      topology::SelectSnapshotMounts(collected->topology, mount_points);
  if (!mounts.ok()) return mounts.status();
  if (mounts->empty()) *log_ << "no xfs or ext4 filesystem to snapshot\n";
  absl::Status first_error;
  for (const mfr::v1::Mount& mount : *mounts) {
    absl::Status s = SnapshotOne(mount);
    if (!s.ok()) {
      if (options_.metrics) options_.metrics->SnapshotFailed(mount.device());
      *log_ << "snapshot of " << mount.mount_point() << " failed: " << s
            << "\n";
      first_error.Update(s);
    }
  }
  return first_error;
}

absl::Status SnapshotRunner::SnapshotOne(const mfr::v1::Mount& mount) {
  snapshot::SnapshotRequest request;
  request.host = options_.host;
  request.mount = mount;
  request.generation = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  request.batch_size = options_.batch_size;
  request.host_root = options_.root.path;
  const absl::Time start = absl::Now();
  auto upload = client_->StartUpload();
  snapshot::SnapshotStats stats;
  absl::Status produced = snapshot::ProduceSnapshot(
      request,
      [&upload](const mfr::v1::SnapshotChunk& c) { return upload->Write(c); },
      &stats);
  // When the stream broke, the controller's status says why.
  auto committed = upload->Finish();
  // The time until the controller has the snapshot: the commit included.
  const absl::Duration took = absl::Now() - start;
  if (!committed.ok()) return committed.status();
  if (!produced.ok()) return produced;
  if (options_.metrics) {
    options_.metrics->SnapshotDone(mount.device(), took, stats.records,
                                   absl::Now());
  }
  const double seconds = absl::ToDoubleSeconds(took);
  *log_ << absl::StrFormat(
      "snapshot %s (%s on %s): %s, %d records, %d inode paths, %d segments "
      "stored, %.2fs (%.0f records/s)%s\n",
      mount.mount_point(), mount.fs_type(), mount.device(),
      mfr::v1::SnapshotSource_Name(stats.source), stats.records, stats.inodes,
      committed->segments(), seconds,
      seconds > 0 ? static_cast<double>(stats.records) / seconds : 0.0,
      stats.fiemap_errors + stats.non_utf8_paths > 0
          ? absl::StrCat(", skipped ", stats.fiemap_errors,
                         " unmappable files and ", stats.non_utf8_paths,
                         " non-UTF-8 paths")
          : "");
  return absl::OkStatus();
}

}  // namespace mfr::agent
