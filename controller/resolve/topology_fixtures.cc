#include "controller/resolve/topology_fixtures.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"

namespace mfr::controller::resolve::testing {
namespace {

// Byte values, from the trees' 512-byte sector counts:
//   sdb, sdc size 20971520 s = 10737418240; sdb1, sdc1 start 2048 s =
//   1048576, size 10485760 s = 5368709120; sdb2 start 10487808 s =
//   5369757696, size 10483712 s = 5367660544; md0 and dm-0 size 10483712 s
//   = 5367660544; md0 legs offset 2048 s = 1048576; sdd..sdg size 4194304 s
//   = 2147483648; md1 size 7860224 s = 4024434688, legs offset 264192 s =
//   135266304; dm table "0 10483712 linear 8:18 0".
constexpr char kStackedMdDm[] = R"pb(
  devices {
    name: "sdb"
    dev { major: 8 minor: 16 }
    size_bytes: 10737418240
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c3d4"
  }
  devices {
    name: "sdb1"
    dev { major: 8 minor: 17 }
    size_bytes: 5368709120
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c3d4-part1"
    holders: "md0"
    partition { parent: "sdb" number: 1 start_bytes: 1048576 }
  }
  devices {
    name: "sdb2"
    dev { major: 8 minor: 18 }
    size_bytes: 5367660544
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c3d4-part2"
    holders: "dm-0"
    partition { parent: "sdb" number: 2 start_bytes: 5369757696 }
  }
  devices {
    name: "sdc"
    dev { major: 8 minor: 32 }
    size_bytes: 10737418240
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c3e5"
  }
  devices {
    name: "sdc1"
    dev { major: 8 minor: 33 }
    size_bytes: 5368709120
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c3e5-part1"
    holders: "md0"
    partition { parent: "sdc" number: 1 start_bytes: 1048576 }
  }
  devices {
    name: "sdd"
    dev { major: 8 minor: 48 }
    size_bytes: 2147483648
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c400"
    holders: "md1"
  }
  devices {
    name: "sde"
    dev { major: 8 minor: 64 }
    size_bytes: 2147483648
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c401"
    holders: "md1"
  }
  devices {
    name: "sdf"
    dev { major: 8 minor: 80 }
    size_bytes: 2147483648
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c402"
    holders: "md1"
  }
  devices {
    name: "sdg"
    dev { major: 8 minor: 96 }
    size_bytes: 2147483648
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    stable_id: "naa.5000c500a1b2c403"
    holders: "md1"
  }
  devices {
    name: "md0"
    dev { major: 9 minor: 0 }
    size_bytes: 5367660544
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    slaves: "sdb1"
    slaves: "sdc1"
    md {
      level: "raid1"
      chunk_size_bytes: 0
      layout: "0"
      raid_disks: 2
      members {
        device: "sdb1"
        slot: 0
        data_offset_bytes: 1048576
        state: "in_sync"
      }
      members {
        device: "sdc1"
        slot: 1
        data_offset_bytes: 1048576
        state: "in_sync"
      }
    }
  }
  devices {
    name: "md1"
    dev { major: 9 minor: 1 }
    size_bytes: 4024434688
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    slaves: "sdd"
    slaves: "sde"
    slaves: "sdf"
    slaves: "sdg"
    md {
      level: "raid5"
      chunk_size_bytes: 524288
      layout: "2"
      raid_disks: 3
      members {
        device: "sdd"
        slot: 0
        data_offset_bytes: 135266304
        state: "in_sync"
      }
      members {
        device: "sde"
        slot: 1
        data_offset_bytes: 135266304
        state: "in_sync"
      }
      members {
        device: "sdf"
        slot: 2
        data_offset_bytes: 135266304
        state: "in_sync"
      }
      members {
        device: "sdg"
        slot: -1
        data_offset_bytes: 135266304
        state: "spare"
      }
    }
  }
  devices {
    name: "dm-0"
    dev { major: 253 minor: 0 }
    size_bytes: 5367660544
    logical_block_size_bytes: 512
    physical_block_size_bytes: 4096
    slaves: "sdb2"
    dm {
      dm_name: "vg0-data"
      dm_uuid: "LVM-Xw2vQ3mZ8c1kJ7hTn5pYd4Rb6sLe0aFgUi9oKjHqCd3VbN1mE7tWx5zYrP2sQ8uA"
      targets {
        start_bytes: 0
        length_bytes: 5367660544
        type: "linear"
        args: "8:18 0"
      }
    }
  }
  mounts {
    mount_point: "/data"
    device: "md0"
    dev { major: 9 minor: 0 }
    fs_type: "xfs"
    source: "/dev/md0"
    root: "/"
    dax: DAX_MODE_NEVER
  }
  mounts {
    mount_point: "/srv"
    device: "dm-0"
    dev { major: 253 minor: 0 }
    fs_type: "ext4"
    source: "/dev/mapper/vg0-data"
    root: "/"
    dax: DAX_MODE_NEVER
  }
  mounts {
    mount_point: "/var/www"
    device: "dm-0"
    dev { major: 253 minor: 0 }
    fs_type: "ext4"
    source: "/dev/mapper/vg0-data"
    root: "/www"
    dax: DAX_MODE_NEVER
  }
  mounts {
    mount_point: "/mnt/srv-copy"
    device: "dm-0"
    dev { major: 253 minor: 0 }
    fs_type: "ext4"
    source: "/dev/mapper/vg0-data"
    root: "/"
    dax: DAX_MODE_NEVER
  }
  mounts {
    mount_point: "/backup"
    device: "md1"
    dev { major: 9 minor: 1 }
    fs_type: "ext4"
    source: "/dev/md1"
    root: "/"
    dax: DAX_MODE_NEVER
  }
)pb";

// loop0: size 65536 s = 33554432, loop/offset 1048576, sizelimit 33554432
// (loop attributes are bytes already); vda: size 536870912 s =
// 274877906944.
constexpr char kLoopOverFile[] = R"pb(
  devices {
    name: "loop0"
    dev { major: 7 minor: 0 }
    size_bytes: 33554432
    logical_block_size_bytes: 512
    physical_block_size_bytes: 512
    loop {
      backing_file: "/tmp/topo_rec/backing.img"
      offset_bytes: 1048576
      size_limit_bytes: 33554432
    }
  }
  devices {
    name: "vda"
    dev { major: 254 minor: 0 }
    size_bytes: 274877906944
    logical_block_size_bytes: 512
    physical_block_size_bytes: 512
    stable_id: "overlayblk"
  }
  mounts { mount_point: "/" device: "vda" fs_type: "ext4" root: "/" }
  mounts {
    mount_point: "/tmp/topo_rec/mnt"
    device: "loop0"
    fs_type: "ext4"
    root: "/"
  }
  mounts {
    mount_point: "/tmp/topo_rec/bindsub"
    device: "loop0"
    fs_type: "ext4"
    root: "/sub"
  }
  mounts {
    mount_point: "/tmp/topo_rec/bindroot"
    device: "loop0"
    fs_type: "ext4"
    root: "/"
  }
  mounts {
    mount_point: "/tmp/topo_rec/bind with space"
    device: "loop0"
    fs_type: "ext4"
    root: "/with space"
  }
)pb";

// sdh: 2097152 logical blocks of 4096 = 8589934592 bytes (sysfs size
// 16777216 s); sdh1 start 2048 s = 1048576, size 16773120 s = 8587837440
// (1 MiB left at each end for GPT).
constexpr char kFourKn[] = R"pb(
  devices {
    name: "sdh"
    dev { major: 8 minor: 112 }
    size_bytes: 8589934592
    logical_block_size_bytes: 4096
    physical_block_size_bytes: 4096
  }
  devices {
    name: "sdh1"
    dev { major: 8 minor: 113 }
    size_bytes: 8587837440
    logical_block_size_bytes: 4096
    physical_block_size_bytes: 4096
    partition { parent: "sdh" number: 1 start_bytes: 1048576 }
  }
  mounts { mount_point: "/scratch" device: "sdh1" fs_type: "xfs" root: "/" }
)pb";

mfr::v1::Topology MustParse(absl::string_view text) {
  absl::StatusOr<mfr::v1::Topology> t = ParseTopology(text);
  return t.ok() ? *t : mfr::v1::Topology();
}

}  // namespace

absl::StatusOr<mfr::v1::Topology> ParseTopology(absl::string_view text) {
  mfr::v1::Topology topology;
  if (!google::protobuf::TextFormat::ParseFromString(std::string(text),
                                                     &topology)) {
    return absl::InvalidArgumentError("bad text-format Topology");
  }
  return topology;
}

mfr::v1::Topology StackedMdDm() { return MustParse(kStackedMdDm); }
mfr::v1::Topology LoopOverFile() { return MustParse(kLoopOverFile); }
mfr::v1::Topology FourKn() { return MustParse(kFourKn); }

}  // namespace mfr::controller::resolve::testing
