// SnapshotIo: everything the snapshot producer asks of the host about one
// mounted filesystem, behind one narrow interface (the Linux implementation
// is linux_snapshot_io.h; tests pass fakes).
//
// Contract, per method:
// - DeviceSizeBytes: the data device's size in bytes, or an error.
// - ForEachFsmapBatch: GETFSMAP records of the filesystem's data device in
//   physical order, as getfsmap.h describes; Unimplemented without GETFSMAP.
//   A non-OK status from `on_batch` is returned as is.
// - Walk: the directory walk of inode_walker.h from the mount point.
// - ForEachExtent: FIEMAP (fiemap.h) of an entry reported by Walk, during
//   the Walk callback for that entry. Once the file is open and verified,
//   `decide` sees its facts; false skips it (OK, no extents). Errors:
//   FailedPrecondition when the entry no longer names that inode on this
//   filesystem; Unimplemented when the filesystem cannot map that kind of
//   file; a non-OK status from `on_batch` is returned as is.
// Implementations need not be thread-safe.
#ifndef MFR_AGENT_SNAPSHOT_SNAPSHOT_IO_H_
#define MFR_AGENT_SNAPSHOT_SNAPSHOT_IO_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/snapshot/fiemap.h"
#include "agent/snapshot/getfsmap.h"
#include "agent/snapshot/inode_walker.h"

namespace mfr::agent::snapshot {

// What ForEachExtent learned about a file before mapping it.
struct FileFacts {
  uint64_t inode = 0;
  uint64_t link_count = 0;
};
using MapDecision = std::function<bool(const FileFacts&)>;

class SnapshotIo {
 public:
  virtual ~SnapshotIo() = default;

  virtual absl::StatusOr<uint64_t> DeviceSizeBytes() = 0;
  virtual absl::Status ForEachFsmapBatch(
      uint32_t records_per_call, const FsmapBatchCallback& on_batch) = 0;
  virtual absl::Status Walk(const WalkCallback& on_entry, WalkStats* stats) = 0;
  virtual absl::Status ForEachExtent(const WalkEntry& entry,
                                     const MapDecision& decide,
                                     const ExtentBatchCallback& on_batch) = 0;
};

}  // namespace mfr::agent::snapshot

#endif  // MFR_AGENT_SNAPSHOT_SNAPSHOT_IO_H_
