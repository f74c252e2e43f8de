// TopologyIndex: a host's Topology, indexed for walking a range *up* the
// block stack: from a device to every layer directly above it (partitions
// of a disk, md arrays it is a leg of, dm devices whose tables use it, loop
// devices over it as "/dev/<name>"), and to the mounts on it.
//
// MapUp asks each of those layers (partition_map.h, md_map.h, dm_map.h,
// loop_map.h) what it makes of a range. A layer whose description mfr
// cannot translate (an unsupported md level or layout, malformed dm args,
// overflowing offsets) does not fail the walk: it comes back as one
// StopPiece over the range with the layer's message as the reason, so the
// other paths still resolve. Only ResourceExhausted (a range too large to
// walk) is returned as an error.
//
// The index copies the topology; it is immutable after construction and
// safe to share between threads.
#ifndef MFR_CONTROLLER_RESOLVE_TOPOLOGY_INDEX_H_
#define MFR_CONTROLLER_RESOLVE_TOPOLOGY_INDEX_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"
#include "controller/resolve/layer_mapping.h"
#include "controller/resolve/md_geometry.h"
#include "controller/resolve/partition_map.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::resolve {

// What sits directly above one device, mapped for one range.
struct UpperLayers {
  std::vector<LayerMapping> layers;
  bool has_partitions = false;       // the device is a disk with partitions
  std::vector<std::string> holders;  // md/dm/loop devices above it
};

class TopologyIndex {
 public:
  explicit TopologyIndex(mfr::v1::Topology topology);

  // The device called `name` (the first, if listed twice), or nullptr.
  const mfr::v1::BlockDevice* Device(absl::string_view name) const;

  // Mounts whose device is `device`: those of the whole filesystem (root
  // "/") first, then bind mounts of subtrees, each in topology order.
  std::vector<const mfr::v1::Mount*> MountsOn(absl::string_view device) const;

  absl::StatusOr<UpperLayers> MapUp(absl::string_view device,
                                    const ByteSpan& range) const;

  // For a loop device over a regular file: a note saying so and that the
  // file's own blocks are not translated; empty otherwise.
  std::string LoopFileNote(absl::string_view device) const;

 private:
  absl::Status MapPartitions(const std::string& device, const ByteSpan& range,
                             UpperLayers* out) const;
  absl::Status MapMd(const std::string& device, const ByteSpan& range,
                     UpperLayers* out) const;
  absl::Status MapDm(const mfr::v1::BlockDevice& lower, const ByteSpan& range,
                     UpperLayers* out) const;
  absl::Status MapLoops(const mfr::v1::BlockDevice& lower,
                        const ByteSpan& range, UpperLayers* out) const;
  // Adds `mapping`, or a StopPiece over `range` for a layer error.
  absl::Status Add(absl::StatusOr<LayerMapping> mapping,
                   const std::string& upper, const ByteSpan& range,
                   UpperLayers* out) const;

  mfr::v1::Topology topology_;
  std::map<std::string, int, std::less<>> by_name_;
  std::map<std::string, std::vector<PartitionExtent>, std::less<>>
      partitions_;  // by parent disk
  // md arrays in topology order, parsed once (or why they cannot be).
  std::vector<std::pair<int, absl::StatusOr<MdGeometry>>> md_;
  std::vector<int> dm_;     // device indexes
  std::vector<int> loops_;  // device indexes
};

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_TOPOLOGY_INDEX_H_
