// Readers for the layer-specific sysfs attributes of one block device
// (partition, loop, md, dm); see sysfs_block.h for the layout and units.
//
// Each reads through a SysfsAttrReader on "sys/class/block/<name>" and sets
// the matching oneof of `device`. Errors follow SysfsAttrReader: absent
// optional attributes keep defaults; malformed ones fail the call. Internal
// to agent/topology.
#ifndef MFR_AGENT_TOPOLOGY_SYSFS_LAYERS_H_
#define MFR_AGENT_TOPOLOGY_SYSFS_LAYERS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/topology/sysfs_attr_reader.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

// "partition" (number, required) and "start" (sectors, required). The
// parent is left empty: only the scan, which sees every device, knows it.
absl::Status ReadPartitionLayer(const SysfsAttrReader& dir,
                                mfr::v1::BlockDevice* device);

// "loop/backing_file" (required), "loop/offset", "loop/sizelimit" (bytes).
absl::Status ReadLoopLayer(const SysfsAttrReader& dir,
                           mfr::v1::BlockDevice* device);

// "md/level", "md/chunk_size" (bytes), "md/layout", "md/raid_disks" and
// the members "md/dev-<name>/{slot,offset,state}", sorted by slot with
// spares/failed (-1) last. Appends a warning when a reshape is running
// (geometry attributes read "new (old)"; the new value is kept).
absl::Status ReadMdLayer(const SysfsAttrReader& dir,
                         mfr::v1::BlockDevice* device,
                         std::vector<std::string>* warnings);

// "dm/name", "dm/uuid"; targets stay empty (see dm_table_parser.h).
absl::Status ReadDmLayer(const SysfsAttrReader& dir,
                         mfr::v1::BlockDevice* device);

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_SYSFS_LAYERS_H_
