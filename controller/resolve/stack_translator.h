// StackTranslator: translates a damaged byte range reported on one block
// device UP the host's device stack (partition, md, dm, loop) to every
// filesystem it lands in. Pure: no I/O, only the Topology it was built from.
//
// Translate walks every path up from the reported device (a disk holding
// two partitions, an md array over partitions of several disks, an LVM PV
// under several LVs) and returns one TranslationResult per piece:
//   mapped   the piece lands on a mounted filesystem's device: `device` and
//            `range` are the bytes of that filesystem's device (what GETFSMAP
//            and the reverse map use), `mount` its mount (the whole-fs mount
//            first), `mount_points` all of its mount points (bind mounts);
//   unmapped the piece maps to no filesystem (partition table, md metadata
//            area, raid parity, unused dm space, a device nothing uses, a
//            layout mfr does not translate): `device`/`range` say where the
//            walk stopped and `reason` why. Not an error.
// `chain` lists every step from the reported device (first, note
// "reported") to the filesystem (last, device = the mount point), each with
// the piece's bytes on that device: every step's range has the same length
// as `range`. `verdict` is kRepairable when some md layer on the path still
// has redundancy for these bytes (md can rewrite them from another copy or
// from parity, so the planner asks for an md check), kLoss otherwise.
// Results come in walk order, deduplicated.
//
// Units: bytes throughout; kernel "sectors" are converted by the topology
// collector (512-byte units, whatever the logical block size, 4Kn too).
// A loop device over a regular file is its own device: a range on it is what
// its filesystem sees, and the backing file's blocks are not translated
// (the chain's note says so).
//
// Errors: InvalidArgument for length 0, offset + length overflowing 2^64 or
// a range past the end of the reported device (when its size is known);
// NotFound for a device the topology does not have; ResourceExhausted when
// the range would produce more than `max_results` results or walk more than
// kMaxChunkSteps chunks of one striped layer (report a narrower range).
// Topology problems (unsupported md layout, malformed dm args, overflowing
// topology offsets, a cycle) never fail the call: they are unmapped results.
//
// Thread-safe: immutable after construction; Translate may run concurrently.
#ifndef MFR_CONTROLLER_RESOLVE_STACK_TRANSLATOR_H_
#define MFR_CONTROLLER_RESOLVE_STACK_TRANSLATOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"
#include "controller/resolve/layer_mapping.h"
#include "controller/resolve/topology_index.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::resolve {

enum class Verdict { kLoss, kRepairable };

// "loss" / "repairable".
absl::string_view VerdictName(Verdict verdict);

// A damaged range as reported: the device as the kernel named it.
struct DamagedRange {
  std::string device;  // e.g. "sdb", "nvme0n1p2", "loop0"
  uint64_t offset_bytes = 0;
  uint64_t length_bytes = 0;
};

struct TranslationResult {
  bool mapped = false;
  std::string device;    // the filesystem's device, or where the walk stopped
  ByteSpan range;        // bytes on `device`
  mfr::v1::Mount mount;  // mapped only
  std::vector<std::string> mount_points;  // mapped only
  std::vector<mfr::v1::TranslationStep> chain;
  Verdict verdict = Verdict::kLoss;
  std::string reason;  // unmapped only
};

struct TranslateOptions {
  size_t max_results = 4096;
  int max_depth = 32;  // layers; deeper stacks are reported as unmapped
};

class StackTranslator {
 public:
  explicit StackTranslator(mfr::v1::Topology topology,
                           TranslateOptions options = {});

  absl::StatusOr<std::vector<TranslationResult>> Translate(
      const DamagedRange& damaged) const;

 private:
  struct Path;
  // Follows `path` up from its device, appending results to `out`.
  absl::Status Walk(const Path& path,
                    std::vector<TranslationResult>* out) const;
  // Why `path` must stop here (too deep, a cycle), or "".
  std::string WalkLimit(const Path& path) const;
  absl::Status FollowLayer(const Path& path, const LayerMapping& layer,
                           std::vector<ByteSpan>* covered,
                           std::vector<TranslationResult>* out) const;
  absl::Status AddLandings(const Path& path,
                           std::vector<TranslationResult>* out) const;
  absl::Status AddStop(const Path& path, const ByteSpan& piece,
                       const std::string& reason, bool repairable,
                       std::vector<TranslationResult>* out) const;
  absl::Status Push(TranslationResult result,
                    std::vector<TranslationResult>* out) const;

  TopologyIndex index_;
  TranslateOptions options_;
};

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_STACK_TRANSLATOR_H_
