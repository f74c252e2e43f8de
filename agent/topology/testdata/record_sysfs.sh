#!/bin/sh
# Records the sysfs attributes the topology collector reads for the named
# block devices, as a tree spec (see sysfs_tree_fixture.h) on stdout:
#   L <path> <symlink target>   D <path>   F <path> <content, C-escaped>
# /sys/class/block/<name> stays a relative symlink into sys/devices, as the
# kernel lays it out. Usage (as root): record_sysfs.sh loop0 vda > x.tree
set -eu
attrs="dev size partition start serial wwid device/wwid device/serial
device/uuid queue/logical_block_size queue/physical_block_size
loop/backing_file loop/offset loop/sizelimit dm/name dm/uuid
md/level md/chunk_size md/layout md/raid_disks"
echo "# Recorded by record_sysfs.sh $* on $(uname -r), $(date -u +%F)."
for name in "$@"; do
  real=$(readlink -f "/sys/class/block/$name")
  rel=${real#/}
  echo "L sys/class/block/$name $(readlink "/sys/class/block/$name")"
  for a in $attrs; do
    [ -f "$real/$a" ] || continue
    printf 'F %s/%s %s\n' "$rel" "$a" "$(sed -e 's/\\/\\\\/g' "$real/$a" | head -c 4096)"
  done
  for d in holders slaves; do
    echo "D $rel/$d"
    for e in $(ls "$real/$d"); do
      echo "L $rel/$d/$e $(readlink "$real/$d/$e")"
    done
  done
done
