#!/usr/bin/env bash
# Sets up and runs mfr's main job on this machine without touching the
# host's own data: builds mfr, makes a small XFS (rmapbt, reflink) on a loop
# device with a few files (one reflinked, one hard-linked), starts a
# controller and an agent, and asks `mfrctl query-range` which files live
# at a device range. Everything it creates is removed when it exits.
# Needs root (loop devices, mounts).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (it creates a loop device and mounts it)" >&2
  exit 1
fi
./tools/install-deps.sh
echo "== building mfr"
bazel build //controller:mfr-controller //agent:mfr-agent //cli:mfrctl 2>&1 | tail -1
BIN="$PWD/bazel-bin"

work=$(mktemp -d /tmp/mfr-demo.XXXXXX)
loop="" controller_pid=""
cleanup() {
  [ -n "$controller_pid" ] && kill "$controller_pid" 2>/dev/null && wait "$controller_pid" 2>/dev/null
  mountpoint -q "$work/mnt" 2>/dev/null && (umount "$work/mnt" || umount -l "$work/mnt")
  [ -n "$loop" ] && losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT

echo "== a 320 MB XFS (rmapbt=1, reflink=1) on a loop device"
truncate -s 320M "$work/disk.img"
loop=$(losetup -f --show "$work/disk.img")
mkfs.xfs -q -f -m rmapbt=1,reflink=1 "$loop"
mkdir "$work/mnt"
mount "$loop" "$work/mnt"
mkdir "$work/mnt/projects"
head -c 4M /dev/urandom > "$work/mnt/projects/model.bin"
cp --reflink=always "$work/mnt/projects/model.bin" "$work/mnt/model-backup.bin"
ln "$work/mnt/projects/model.bin" "$work/mnt/model-link.bin"
echo "hello from mfr" > "$work/mnt/hello.txt"
sync
dev=$(basename "$loop")
echo "   $loop mounted on $work/mnt"

echo "== starting the controller (RocksDB in $work/db)"
"$BIN/controller/mfr-controller" --db="$work/db" --listen=127.0.0.1:0 \
  > "$work/controller.log" 2>&1 &
controller_pid=$!
for _ in $(seq 50); do
  port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/controller.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { cat "$work/controller.log"; exit 1; }
controller="127.0.0.1:$port"
echo "   listening on $controller"

echo "== the agent snapshots the filesystem (GETFSMAP) and uploads it"
"$BIN/agent/mfr-agent" snapshot --controller="$controller" --host=demo-host \
  "$work/mnt" 2>/dev/null

echo "== mfrctl hosts"
"$BIN/cli/mfrctl" --controller="$controller" hosts

# The device range of the model's second 4 KiB block, from FIEMAP.
first_sector=$(xfs_io -r -c 'fiemap' "$work/mnt/projects/model.bin" |
  sed -n 's/^[[:space:]]*0: \[[0-9]*\.\.[0-9]*\]: \([0-9]*\)\.\..*/\1/p')
offset=$(( first_sector * 512 + 4096 ))
echo
echo "== which files live at $dev bytes $offset..$(( offset + 8192 ))?"
echo "   mfrctl query-range --host=demo-host --device=$dev --offset=$offset --length=8192"
"$BIN/cli/mfrctl" --controller="$controller" query-range --host=demo-host \
  --device="$dev" --offset="$offset" --length=8192

cat <<EOT

The reflinked extent has two owners, each with its own paths (the hard link
shows as a second path of the same inode).

To run mfr on this host's real filesystems (start with a dry-run policy:
the agent then reports what it would kill or rewrite, and changes nothing):
  mkdir -p /etc/mfr && echo 'dry_run: true' > /etc/mfr/policy.textproto
  $BIN/controller/mfr-controller --db=/var/lib/mfr/db --listen=127.0.0.1:7411 \
      --policy=/etc/mfr/policy.textproto &
  $BIN/agent/mfr-agent run --controller=127.0.0.1:7411 --interval-seconds=300
      (every local XFS and ext4 mount; --mounts=/data,/srv to choose)
  $BIN/cli/mfrctl hosts
  $BIN/cli/mfrctl query-range --host=\$(hostname) --device=sdb1 --offset=BYTES --length=BYTES
Snapshots only read (GETFSMAP, FIEMAP, directory walks). Recovery actions
(signal DAX mappers, rewrite cached pages) run only for damaged ranges,
after a live ownership check, as the policy allows; see README.md.
EOT
