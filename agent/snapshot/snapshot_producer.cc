// The snapshot driver: decides the mode once, then streams GETFSMAP records,
// walk paths and FIEMAP extents through a ChunkWriter.
#include "agent/snapshot/snapshot_producer.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "agent/snapshot/linux_snapshot_io.h"
#include "agent/topology/rooted_fs.h"
#include "common/utf8.h"

namespace mfr::agent::snapshot {
namespace {

// Enough to cover the first allocation group's headers and btree roots.
constexpr uint32_t kProbeRecords = 64;

// The first GETFSMAP records of the filesystem; *error says why there are
// none when GETFSMAP does not work.
std::vector<struct fsmap> ProbeFsmap(SnapshotIo& io, absl::Status* error) {
  std::vector<struct fsmap> first;
  bool got_batch = false;
  absl::Status status = io.ForEachFsmapBatch(
      kProbeRecords, [&](absl::Span<const struct fsmap> batch) {
        first.assign(batch.begin(), batch.end());
        got_batch = true;
        return absl::CancelledError("probe complete");
      });
  *error = got_batch ? absl::OkStatus() : status;
  return first;
}

class Producer {
 public:
  Producer(const SnapshotRequest& req, SnapshotIo& io, ChunkSink sink,
           SnapshotStats* stats)
      : req_(req),
        io_(io),
        writer_(std::move(sink), req.batch_size, req.max_batch_bytes),
        family_(FsFamilyFromName(req.mount.fs_type())),
        stats_(stats) {}

  // Produces the whole stream; the counts in `stats` are set either way.
  absl::Status Run() {
    absl::Status status = RunSteps();
    stats_->records = writer_.records_sent();
    stats_->inodes = writer_.inodes_sent();
    stats_->batches = writer_.batches_sent();
    return status;
  }

 private:
  absl::Status RunSteps();
  absl::Status SendHeader();
  absl::Status SendFsmapRecords(bool special_owners_only);
  absl::Status AddFsmapBatch(absl::Span<const struct fsmap> batch,
                             bool special_owners_only);
  absl::Status WalkTree(bool map_files);
  absl::Status OnEntry(const WalkEntry& entry, bool map_files);
  absl::Status MapFile(const WalkEntry& entry);
  absl::Status AddExtents(uint64_t inode, absl::Span<const FileExtent> batch);

  const SnapshotRequest& req_;
  SnapshotIo& io_;
  ChunkWriter writer_;
  const FsFamily family_;
  SnapshotStats* const stats_;
  bool map_directories_ = true;  // until the filesystem says it cannot
  // Files with several links already mapped: FIEMAP each inode once.
  absl::flat_hash_set<uint64_t> mapped_links_;
};

absl::Status Producer::RunSteps() {
  absl::Status probe_error;
  const std::vector<struct fsmap> first = ProbeFsmap(io_, &probe_error);
  stats_->fsmap_available = probe_error.ok();
  stats_->source = ChooseSource(family_, first);
  if (absl::Status status = SendHeader(); !status.ok()) return status;
  const bool by_rmap = stats_->source == v1::SNAPSHOT_SOURCE_GETFSMAP;
  if (stats_->fsmap_available) {
    if (absl::Status status = SendFsmapRecords(!by_rmap); !status.ok()) {
      return status;
    }
  }
  if (absl::Status status = WalkTree(!by_rmap); !status.ok()) return status;
  return writer_.Finish();
}

absl::Status Producer::SendHeader() {
  const v1::Mount& mount = req_.mount;
  v1::SnapshotHeader header;
  header.set_host(req_.host);
  header.set_mount_point(mount.mount_point());
  header.set_fs_uuid(mount.fs_uuid());
  header.set_fs_type(mount.fs_type());
  header.set_device(mount.device());
  *header.mutable_dev() = mount.dev();
  uint64_t size = req_.device_size_bytes;
  if (size == 0) size = io_.DeviceSizeBytes().value_or(0);
  header.set_device_size_bytes(size);
  header.set_generation(req_.generation);
  header.set_source(stats_->source);
  header.set_physical_order(stats_->source == v1::SNAPSHOT_SOURCE_GETFSMAP);
  const absl::Time now = absl::Now();
  const int64_t seconds = absl::ToUnixSeconds(now);
  header.mutable_taken()->set_seconds(seconds);
  header.mutable_taken()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(seconds))));
  return writer_.WriteHeader(header);
}

absl::Status Producer::SendFsmapRecords(bool special_owners_only) {
  return io_.ForEachFsmapBatch(
      req_.fsmap_records_per_call, [&](absl::Span<const struct fsmap> batch) {
        return AddFsmapBatch(batch, special_owners_only);
      });
}

absl::Status Producer::AddFsmapBatch(absl::Span<const struct fsmap> batch,
                                     bool special_owners_only) {
  for (const struct fsmap& rec : batch) {
    if (special_owners_only && !(rec.fmr_flags & FMR_OF_SPECIAL_OWNER)) {
      continue;
    }
    v1::ReverseMapRecord* out = writer_.NewRecord();
    if (!FsmapToRecord(rec, family_, out).ok()) {
      writer_.DiscardRecord();
      ++stats_->invalid_records;
      continue;
    }
    ++stats_->fsmap_records;
    if (absl::Status status = writer_.CommitRecord(); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status Producer::WalkTree(bool map_files) {
  return io_.Walk(
      [&](const WalkEntry& entry) { return OnEntry(entry, map_files); },
      &stats_->walk);
}

absl::Status Producer::OnEntry(const WalkEntry& entry, bool map_files) {
  if (IsValidUtf8(entry.path)) {
    absl::Status status = writer_.AddInodePath(entry.inode, entry.path);
    if (!status.ok()) return status;
  } else {
    ++stats_->non_utf8_paths;
  }
  return map_files ? MapFile(entry) : absl::OkStatus();
}

absl::Status Producer::MapFile(const WalkEntry& entry) {
  const bool is_dir = entry.type == EntryType::kDirectory;
  if (entry.type == EntryType::kOther || (is_dir && !map_directories_)) {
    return absl::OkStatus();
  }
  const auto decide = [&](const FileFacts& facts) {
    return is_dir || facts.link_count <= 1 ||
           mapped_links_.insert(facts.inode).second;
  };
  absl::Status sink_status;
  absl::Status status =
      io_.ForEachExtent(entry, decide, [&](absl::Span<const FileExtent> batch) {
        sink_status = AddExtents(entry.inode, batch);
        return sink_status;
      });
  if (!sink_status.ok()) return sink_status;
  if (status.ok()) {
    ++stats_->fiemap_files;
  } else if (is_dir && absl::IsUnimplemented(status)) {
    map_directories_ = false;  // e.g. XFS: directories have no FIEMAP
  } else {
    ++stats_->fiemap_errors;
  }
  return absl::OkStatus();
}

absl::Status Producer::AddExtents(uint64_t inode,
                                  absl::Span<const FileExtent> batch) {
  for (const FileExtent& extent : batch) {
    v1::ReverseMapRecord* out = writer_.NewRecord();
    out->set_physical_offset_bytes(extent.physical);
    out->set_length_bytes(extent.length);
    out->set_kind(v1::OWNER_KIND_FILE_DATA);
    out->set_inode(inode);
    out->set_file_offset_bytes(extent.logical);
    out->set_unwritten(extent.unwritten());
    ++stats_->fiemap_records;
    if (absl::Status status = writer_.CommitRecord(); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequest(const SnapshotRequest& req) {
  if (req.mount.mount_point().empty()) {
    return absl::InvalidArgumentError("snapshot request without mount point");
  }
  if (req.batch_size == 0 || req.max_batch_bytes == 0) {
    return absl::InvalidArgumentError("snapshot batch size must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

v1::SnapshotSource ChooseSource(FsFamily family,
                                absl::Span<const struct fsmap> first) {
  if (family != FsFamily::kXfs) return v1::SNAPSHOT_SOURCE_FIEMAP_WALK;
  for (const struct fsmap& rec : first) {
    if (!IsAnonymousOwner(rec)) return v1::SNAPSHOT_SOURCE_GETFSMAP;
  }
  return v1::SNAPSHOT_SOURCE_FIEMAP_WALK;
}

absl::Status ProduceSnapshotWithIo(const SnapshotRequest& req, SnapshotIo& io,
                                   ChunkSink sink, SnapshotStats* stats) {
  SnapshotStats local_stats;
  if (stats == nullptr) stats = &local_stats;
  *stats = SnapshotStats();
  if (absl::Status status = ValidateRequest(req); !status.ok()) return status;
  const absl::Time start = absl::Now();
  Producer producer(req, io, std::move(sink), stats);
  absl::Status status = producer.Run();
  stats->duration = absl::Now() - start;
  return status;
}

absl::Status ProduceSnapshot(const SnapshotRequest& req, ChunkSink sink,
                             SnapshotStats* stats) {
  if (absl::Status status = ValidateRequest(req); !status.ok()) return status;
  LinuxSnapshotIoOptions options;
  options.host_root = req.host_root;
  options.sysfs_root = topology::HostPath(req.host_root, "/sys");
  absl::StatusOr<std::unique_ptr<SnapshotIo>> io =
      OpenLinuxSnapshotIo(req.mount, options);
  if (!io.ok()) return io.status();
  return ProduceSnapshotWithIo(req, **io, std::move(sink), stats);
}

}  // namespace mfr::agent::snapshot
