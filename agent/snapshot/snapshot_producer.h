// The snapshot producer: streams one filesystem's reverse map (physical
// range -> owner) and inode -> paths table as SnapshotChunk messages.
//
// Contract:
// - Mode, decided once from the first GETFSMAP records:
//   * XFS whose GETFSMAP names owners (rmapbt=1): source GETFSMAP,
//     physical_order = true; every GETFSMAP record of the data device, in
//     the kernel's (physical) order, then the inode paths from the walk.
//   * otherwise (ext4, XFS without rmapbt, others): source FIEMAP_WALK,
//     physical_order = false; GETFSMAP's special-owner records (metadata,
//     free space, unknown) when GETFSMAP works at all, plus FILE_DATA
//     records from FIEMAP of every regular file the walk finds (and of
//     directories, while the filesystem can map them), each inode once even
//     when hard links show it under several paths.
// - Stream: exactly one header, batches of at most `batch_size` records +
//   inode entries (and about `max_batch_bytes`), exactly one footer whose
//   counts are what the batches carried. An inode with several paths (hard
//   links) appears in several InodePaths entries, one per path.
// - Memory stays bounded by the batch size and the GETFSMAP buffer, never
//   by the size of the filesystem; the one exception is the set of inode
//   numbers of multiply-linked files already mapped (8 bytes each, FIEMAP
//   mode only).
// - Errors: InvalidArgument for a bad request; the mount's errors from
//   OpenLinuxSnapshotIo; a sink error stops production and is returned as
//   is (no footer is sent then); a GETFSMAP failure in GETFSMAP mode is
//   returned. Per-file failures (vanished files, FIEMAP errors, paths that
//   are not UTF-8) are counted in SnapshotStats, not fatal.
// - Prints nothing. `stats` may be null; filled on success and on error.
// Thread-compatible; the sink is called from the calling thread.
#ifndef MFR_AGENT_SNAPSHOT_SNAPSHOT_PRODUCER_H_
#define MFR_AGENT_SNAPSHOT_SNAPSHOT_PRODUCER_H_

#include <linux/fsmap.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "agent/snapshot/chunk_writer.h"
#include "agent/snapshot/fsmap_convert.h"
#include "agent/snapshot/inode_walker.h"
#include "agent/snapshot/snapshot_io.h"
#include "mfr/v1/agent_service.pb.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::snapshot {

struct SnapshotRequest {
  std::string host;
  mfr::v1::Mount mount;  // mount_point, device, dev, fs_type, fs_uuid
  uint64_t generation = 0;
  size_t batch_size = 4096;           // records + inode entries per batch
  size_t max_batch_bytes = 1u << 20;  // well below gRPC's 4 MB message cap
  uint32_t fsmap_records_per_call = 65536;
  uint64_t device_size_bytes = 0;  // 0: ask the host
  std::string host_root = "/";     // where the host's / is (containers)
};

struct SnapshotStats {
  mfr::v1::SnapshotSource source = mfr::v1::SNAPSHOT_SOURCE_UNSPECIFIED;
  uint64_t records = 0;  // ReverseMapRecords sent
  uint64_t inodes = 0;   // InodePaths entries sent
  uint64_t batches = 0;
  absl::Duration duration;
  bool fsmap_available = false;
  uint64_t fsmap_records = 0;    // records sent that came from GETFSMAP
  uint64_t fiemap_records = 0;   // records sent that came from FIEMAP
  uint64_t fiemap_files = 0;     // files and directories mapped
  uint64_t fiemap_errors = 0;    // files that could not be mapped
  uint64_t invalid_records = 0;  // kernel records dropped as malformed
  uint64_t non_utf8_paths = 0;   // paths not sent: not valid UTF-8
  WalkStats walk;
};

// Produces a snapshot of `req.mount` with the host's real I/O.
absl::Status ProduceSnapshot(const SnapshotRequest& req, ChunkSink sink,
                             SnapshotStats* stats = nullptr);

// The same over any SnapshotIo (tests pass fakes).
absl::Status ProduceSnapshotWithIo(const SnapshotRequest& req, SnapshotIo& io,
                                   ChunkSink sink, SnapshotStats* stats);

// Pure mode choice from the first GETFSMAP records of the filesystem (empty
// when GETFSMAP is unavailable): GETFSMAP when an XFS rmap names any owner
// besides free space and "unknown", which an XFS without rmapbt never does
// and one with rmapbt always does (its AG headers and btrees are owned).
mfr::v1::SnapshotSource ChooseSource(FsFamily family,
                                     absl::Span<const struct fsmap> first);

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_SNAPSHOT_PRODUCER_H_
