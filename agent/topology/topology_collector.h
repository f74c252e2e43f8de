// TopologyCollector: builds a host's mfr::v1::Topology (block-device stack
// and block-backed mounts) from /proc and /sys under a HostRoot.
//
// Steps: read <root>/proc/self/mountinfo and parse it (mountinfo_parser.h);
// scan <root>/sys/class/block (sysfs_block.h); attach dm tables from
// `dmsetup table` text when given (dm_table_parser.h); keep the mounts
// backed by a scanned device (mount_builder.h); ask the FilesystemProbe for
// each mount's uuid and block size.
//
// Errors: Collect fails only if the root, mountinfo or sys/class/block is
// unreadable, mountinfo is oversized, or the dm table text is malformed.
// Skipped mountinfo lines, devices left out and failed probes are listed in
// `warnings`, and the affected fields stay empty. The probe is borrowed and
// must outlive the collector. Thread-compatible: one Collect at a time.
#ifndef MFR_AGENT_TOPOLOGY_TOPOLOGY_COLLECTOR_H_
#define MFR_AGENT_TOPOLOGY_TOPOLOGY_COLLECTOR_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/topology/filesystem_probe.h"
#include "agent/topology/mount_builder.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::topology {

struct HostRoot {
  // Directory under which the host's proc/ and sys/ live (see
  // MountInfoPath: proc/1/mountinfo when it is not "/").
  std::string path = "/";
  // Output of `dmsetup table` (all devices); empty: dm targets stay empty.
  std::string dm_tables_text;
};

struct CollectedTopology {
  mfr::v1::Topology topology;
  std::vector<std::string> warnings;  // what was skipped, and why
};

class TopologyCollector {
 public:
  TopologyCollector(HostRoot host, FilesystemProbe* probe)
      : host_(std::move(host)), probe_(probe) {}

  absl::StatusOr<CollectedTopology> Collect();

 private:
  void ProbeMounts(CollectedTopology* result);

  HostRoot host_;
  FilesystemProbe* probe_;  // not owned
};

}  // namespace mfr::agent::topology

#endif  // MFR_AGENT_TOPOLOGY_TOPOLOGY_COLLECTOR_H_
