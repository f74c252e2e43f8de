// Test-only Topology protos for the stack translator, mirroring the sysfs
// trees in agent/topology/testdata (which //controller cannot depend on:
// the collector and its fixtures are visible to //agent and //tests only).
// Each value is what TopologyCollector builds from that tree: sysfs sector
// counts (size, start, md offset, dm table) times 512, in bytes.
#ifndef MFR_CONTROLLER_RESOLVE_TOPOLOGY_FIXTURES_H_
#define MFR_CONTROLLER_RESOLVE_TOPOLOGY_FIXTURES_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::resolve::testing {

// Parses a text-format Topology; InvalidArgument on a syntax error.
absl::StatusOr<mfr::v1::Topology> ParseTopology(absl::string_view text);

// stacked_md_dm.tree + mountinfo_stacked.txt + dmsetup_table.txt:
// sdb (sdb1 -> md0 raid1 leg, sdb2 -> dm-0 linear), sdc (sdc1 -> md0),
// sdd/sde/sdf -> md1 raid5 (chunk 512 KiB, left-symmetric), sdg md1 spare;
// xfs on md0 at /data, ext4 on dm-0 at /srv (+ /var/www, /mnt/srv-copy),
// ext4 on md1 at /backup.
mfr::v1::Topology StackedMdDm();

// real_loop_vda.tree + mountinfo_this_host.txt: loop0 over the file
// /tmp/topo_rec/backing.img (offset 1 MiB, sizelimit 32 MiB) with ext4 at
// /tmp/topo_rec/mnt (+ bind mounts), vda the root disk with ext4 at /.
mfr::v1::Topology LoopOverFile();

// A hand-built 4Kn disk (logical and physical blocks 4096): sdh with one
// partition sdh1 at 1 MiB (sysfs start 2048: partition starts stay in
// 512-byte units on 4Kn disks) holding xfs at /scratch.
mfr::v1::Topology FourKn();

}  // namespace mfr::controller::resolve::testing

#endif  // MFR_CONTROLLER_RESOLVE_TOPOLOGY_FIXTURES_H_
