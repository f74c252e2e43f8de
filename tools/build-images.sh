#!/usr/bin/env bash
# Builds the container images that deploy/k8s runs, mfr/agent:VERSION and
# mfr/controller:VERSION, without a container daemon or a registry: each
# root filesystem is put together from the Bazel-built binaries and the
# host's copies of the shared libraries they load, and Debian's umoci
# writes the images into an OCI image layout; skopeo exports each one as a
# docker-archive tarball for `docker load` or `ctr images import`.
# Run with --help for the details.
set -euo pipefail

prog=build-images.sh
root="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
  cat <<EOF
usage: tools/build-images.sh [--out=DIR] [--binaries-from=DIR] [--tag=TAG]
                             [--source=URL]

Builds the images deploy/k8s runs, without a container daemon or registry:

  mfr/agent:TAG       /usr/bin/mfr-agent, run as root (it needs privileges);
                      with /bin/sh and xfs_scrub for its read-only scrub action
  mfr/controller:TAG  /usr/bin/mfr-controller (and /usr/bin/mfrctl), run as
                      the non-root user mfr (65532:65532), workdir and data
                      directory /var/lib/mfr-controller

Each image is two layers: the dynamic loader and every shared library that
ldd reports for the mfr binaries, at the paths the host has them (the same
bytes in both images, so a node stores the layer once), then the image's
own files (binaries, /etc/passwd, /etc/group, /etc/nsswitch.conf, /tmp).
No CA certificates: gRPC's TLS files are given by flags.

Writes, under DIR (default: build/images in the source tree):
  oci/                         an OCI image layout holding both images,
                               referenced as mfr/agent:TAG, mfr/controller:TAG
  mfr-agent-TAG.tar            docker-archive tarballs of the same images
  mfr-controller-TAG.tar       (RepoTags docker.io/mfr/...:TAG)
Any earlier build in DIR is replaced.

Options:
  --out=DIR            where to write (created if missing)
  --binaries-from=DIR  take mfr-agent, mfr-controller and mfrctl from DIR
                       (flat, or DIR/agent/, DIR/controller/, DIR/cli/ as in
                       bazel-bin or a runfiles tree) instead of running
                       \`bazel build -c opt\` first
  --tag=TAG            image tag (default: the version the binaries print,
                       which is what deploy/k8s pins)
  --source=URL         org.opencontainers.image.source label (default: the
                       checkout's git remote "origin"; no label without one)
  --help               this text

Reproducible: every file's time and the images' creation time are
SOURCE_DATE_EPOCH (default: the time of the last git commit, else 0), the
files are packed in sorted order, so the same binaries give the same
digests. Needs umoci and skopeo (tools/install-deps.sh). As root the files
keep their owners; otherwise umoci runs rootless and every file in the
images belongs to root (Kubernetes' fsGroup still makes the controller's
data volume writable).

Load the result on a node: ctr -n k8s.io images import DIR/mfr-agent-TAG.tar
Push it to a registry:      skopeo copy oci:DIR/oci:mfr/agent:TAG \\
                              docker://REGISTRY/mfr/agent:TAG
EOF
}

bad_usage() {
  echo "$prog: $1 (see --help)" >&2
  exit 2
}

die() {
  echo "$prog: $1" >&2
  exit 1
}

out="$root/build/images"
binaries_from=""
tag=""
source_url=""
source_set=0
for arg in "$@"; do
  case "$arg" in
    --help | -h) usage; exit 0 ;;
    --out=?*) out="${arg#*=}" ;;
    --binaries-from=?*) binaries_from="${arg#*=}" ;;
    --tag=?*) tag="${arg#*=}" ;;
    --source=?*) source_url="${arg#*=}"; source_set=1 ;;
    --out= | --binaries-from= | --tag= | --source=) bad_usage "${arg%=} needs a value" ;;
    *) bad_usage "unknown argument $arg" ;;
  esac
done
# A tag as OCI and Docker accept it.
if [ -n "$tag" ] && ! [[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  bad_usage "--tag=$tag is not a valid image tag"
fi
if [ -n "$binaries_from" ] && ! [ -d "$binaries_from" ]; then
  bad_usage "--binaries-from=$binaries_from is not a directory"
fi
epoch="${SOURCE_DATE_EPOCH:-}"
if [ -n "$epoch" ] && ! [[ $epoch =~ ^[0-9]+$ ]]; then
  bad_usage "SOURCE_DATE_EPOCH=$epoch is not a number of seconds"
fi

for tool in umoci skopeo ldd; do
  command -v "$tool" >/dev/null ||
    die "$tool is not installed (run tools/install-deps.sh as root)"
done
rootless=()
if [ "$(id -u)" -ne 0 ]; then
  rootless=(--rootless)
  echo "$prog: not root: umoci runs rootless, every file in the images belongs to root"
fi

umask 022
work="$(mktemp -d "${TMPDIR:-/tmp}/mfr-images.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# ---- the binaries -----------------------------------------------------------

if [ -z "$binaries_from" ]; then
  (cd "$root" && bazel build -c opt //agent:mfr-agent //controller:mfr-controller //cli:mfrctl)
  binaries_from="$(cd "$root" && bazel info -c opt bazel-bin 2>/dev/null)"
fi
[ -d "$binaries_from" ] || die "no directory $binaries_from"

# find_binary NAME PACKAGE: DIR/NAME or DIR/PACKAGE/NAME.
find_binary() {
  local candidate
  for candidate in "$binaries_from/$1" "$binaries_from/$2/$1"; do
    if [ -f "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
  die "no executable $1 in $binaries_from or $binaries_from/$2"
}
agent_bin="$(find_binary mfr-agent agent)"
controller_bin="$(find_binary mfr-controller controller)"
mfrctl_bin="$(find_binary mfrctl cli)"

# The version every binary prints ("mfr-agent 0.1.0") is the default tag.
version=""
for bin in "$agent_bin" "$controller_bin" "$mfrctl_bin"; do
  line="$("$bin" --version 2>/dev/null)" || die "$bin --version failed"
  v="${line##* }"
  [ -z "$version" ] || [ "$v" = "$version" ] ||
    die "the binaries disagree on their version ($version, $line)"
  version="$v"
done
tag="${tag:-$version}"

if [ -z "$epoch" ]; then
  epoch=0
  if [ -e "$root/.git" ] && command -v git >/dev/null; then
    epoch="$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)"
  fi
fi
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
revision=""
if [ -e "$root/.git" ] && command -v git >/dev/null; then
  revision="$(git -C "$root" rev-parse HEAD 2>/dev/null || true)"
  if [ "$source_set" -eq 0 ]; then
    # Never a user name or token that a remote URL may carry.
    source_url="$(git -C "$root" remote get-url origin 2>/dev/null |
      sed -E 's#^([a-z+]+://)[^/@]*@#\1#' || true)"
  fi
fi

# ---- root filesystems ---------------------------------------------------------

# copy_path ROOTFS PATH: the host's PATH at the same place under ROOTFS,
# with every symbolic link met on the way recreated as it is on the host
# (so /lib/x86_64-linux-gnu/libc.so.6 brings the /lib -> usr/lib link and
# the file under /usr/lib, as Debian's merged /usr has them). Files already
# there are kept.
copy_path() {
  local rootfs="$1" path="$2" dir="/" rest part cur target hops=0
  rest="${path#/}"
  while [ -n "$rest" ]; do
    part="${rest%%/*}"
    if [ "$part" = "$rest" ]; then rest=""; else rest="${rest#*/}"; fi
    case "$part" in
      "" | .) continue ;;
      ..) dir="$(dirname "$dir")"; continue ;;
    esac
    cur="${dir%/}/$part"
    if [ -L "$cur" ]; then
      hops=$((hops + 1))
      [ "$hops" -le 40 ] || die "$path: too many symbolic links"
      target="$(readlink "$cur")"
      [ -L "$rootfs$cur" ] || [ -e "$rootfs$cur" ] || ln -s "$target" "$rootfs$cur"
      case "$target" in
        /*) dir="/"; rest="${target#/}${rest:+/$rest}" ;;
        *) rest="$target${rest:+/$rest}" ;;
      esac
    elif [ -n "$rest" ]; then
      [ -d "$cur" ] || die "$path: $cur is not a directory"
      [ -d "$rootfs$cur" ] || mkdir "$rootfs$cur"
      dir="$cur"
    else
      [ -f "$cur" ] || die "$path: $cur is not a file"
      [ -e "$rootfs$cur" ] || cp "$cur" "$rootfs$cur"
      return
    fi
  done
}

# shared_objects BINARY...: the dynamic loader and every library ldd
# reports, one path a line, sorted.
shared_objects() {
  local bin report
  for bin in "$@"; do
    report="$(ldd "$bin" 2>&1)" || die "ldd $bin: $report"
    if grep -q "not found" <<<"$report"; then
      die "$bin needs a library that is not installed: $(grep "not found" <<<"$report" | head -1 | xargs)"
    fi
    # "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and the
    # loader's "/lib64/ld-linux-x86-64.so.2 (0x...)"; not linux-vdso.
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$report"
  done | LC_ALL=C sort -u
}

# install_binary ROOTFS SOURCE /usr/bin/NAME
install_binary() {
  mkdir -p "$1$(dirname "$3")"
  install -m 0755 "$2" "$1$3"
}

# write_etc ROOTFS [NAME:UID:HOME]: passwd and group with root, nobody and
# the given user (its group has the same name and id), and nsswitch.conf.
write_etc() {
  local rootfs="$1" user="${2:-}" name="" id="" home=""
  [ -z "$user" ] || IFS=: read -r name id home <<<"$user"
  mkdir -p "$rootfs/etc"
  {
    echo "root:x:0:0:root:/root:/usr/sbin/nologin"
    echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
    [ -z "$user" ] || echo "$name:x:$id:$id:$name:$home:/usr/sbin/nologin"
  } >"$rootfs/etc/passwd"
  {
    echo "root:x:0:"
    echo "nogroup:x:65534:"
    [ -z "$user" ] || echo "$name:x:$id:"
  } >"$rootfs/etc/group"
  # glibc's built-in files and dns modules; no others are in the image.
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/etc/nsswitch.conf"
}

# The same time on every file, directories included.
stamp() {
  find "$1" -exec touch -h -d "@$epoch" {} +
}

layout="$work/oci"
umoci init --layout "$layout"
history_by="tools/build-images.sh"
# Every mfr binary's libraries: one identical base layer in both images.
base_objects="$(shared_objects "$agent_bin" "$controller_bin" "$mfrctl_bin")"

# build_image NAME FILL_FUNCTION CONFIG_ARGS...: a two-layer image
# mfr/NAME:TAG in the layout (base libraries, then what FILL_FUNCTION puts
# into the root filesystem given as its argument).
build_image() {
  local name="$1" fill="$2" ref="$layout:mfr/$1:$tag" bundle="$work/bundle-$1" object
  shift 2
  umoci new --image "$ref"
  umoci unpack "${rootless[@]}" --image "$ref" "$bundle" >/dev/null
  local rootfs="$bundle/rootfs"
  while read -r object; do
    copy_path "$rootfs" "$object"
  done <<<"$base_objects"
  stamp "$rootfs"
  umoci repack --refresh-bundle --image "$ref" \
    --history.created="$created" --history.created_by="$history_by: base" \
    --history.comment="dynamic loader and shared libraries of the mfr binaries" \
    "$bundle"
  "$fill" "$rootfs"
  stamp "$rootfs"
  umoci repack --image "$ref" \
    --history.created="$created" --history.created_by="$history_by: $name" \
    --history.comment="mfr-$name $version" "$bundle"
  local labels=(
    --config.label="org.opencontainers.image.title=mfr-$name"
    --config.label="org.opencontainers.image.version=$version"
    --config.label="org.opencontainers.image.created=$created"
  )
  [ -z "$source_url" ] || labels+=(--config.label="org.opencontainers.image.source=$source_url")
  [ -z "$revision" ] || labels+=(--config.label="org.opencontainers.image.revision=$revision")
  # os and architecture: the build host's, as umoci new set them.
  umoci config --no-history --image "$ref" --created="$created" \
    --config.env="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "${labels[@]}" "$@"
}

fill_agent() {
  local rootfs="$1" extra objects object scrub
  install_binary "$rootfs" "$agent_bin" /usr/bin/mfr-agent
  # The scrub action runs `xfs_scrub -n MOUNT` through popen(3), i.e. /bin/sh.
  scrub="$(PATH="/usr/sbin:/sbin:$PATH" command -v xfs_scrub)" ||
    die "xfs_scrub is not installed (xfsprogs; run tools/install-deps.sh as root)"
  for extra in /bin/sh "$scrub"; do
    copy_path "$rootfs" "$extra"
    objects="$(shared_objects "$extra")"
    while read -r object; do
      copy_path "$rootfs" "$object"
    done <<<"$objects"
  done
  write_etc "$rootfs"
  mkdir -p "$rootfs/tmp" "$rootfs/var/lib/mfr-agent"
  chmod 1777 "$rootfs/tmp"
}

fill_controller() {
  local rootfs="$1"
  install_binary "$rootfs" "$controller_bin" /usr/bin/mfr-controller
  install_binary "$rootfs" "$mfrctl_bin" /usr/bin/mfrctl
  write_etc "$rootfs" "mfr:65532:/var/lib/mfr-controller"
  mkdir -p "$rootfs/tmp" "$rootfs/var/lib/mfr-controller"
  chmod 1777 "$rootfs/tmp"
  if [ ${#rootless[@]} -eq 0 ]; then
    chown 65532:65532 "$rootfs/var/lib/mfr-controller"
  else  # it cannot belong to the user here: let the user write it anyway
    chmod 1777 "$rootfs/var/lib/mfr-controller"
  fi
}

build_image agent fill_agent \
  --config.entrypoint=/usr/bin/mfr-agent \
  --config.user=0:0 --config.workingdir=/ \
  --config.exposedports=7413/tcp \
  --config.label="org.opencontainers.image.description=mfr-agent: a node's media-failure detector, snapshotter and recovery executor"
build_image controller fill_controller \
  --config.entrypoint=/usr/bin/mfr-controller \
  --config.user=65532:65532 --config.workingdir=/var/lib/mfr-controller \
  --config.exposedports=7411/tcp --config.exposedports=7412/tcp \
  --config.label="org.opencontainers.image.description=mfr-controller: the fleet's reverse map, incidents and recovery planner"
umoci gc --layout "$layout"
chmod -R a+rX "$layout"

# ---- docker-archive tarballs, then the result in place --------------------------

for name in agent controller; do
  # Local to local: no signature policy applies (--insecure-policy).
  skopeo --insecure-policy copy --quiet \
    "oci:$layout:mfr/$name:$tag" \
    "docker-archive:$work/mfr-$name-$tag.tar:mfr/$name:$tag"
  chmod 0644 "$work/mfr-$name-$tag.tar"
done

mkdir -p "$out"
rm -rf "$out/oci" "$out"/mfr-agent-*.tar "$out"/mfr-controller-*.tar
mv "$layout" "$out/oci"
mv "$work"/mfr-*.tar "$out/"
for name in agent controller; do
  echo "$prog: mfr/$name:$tag in $out/oci, $out/mfr-$name-$tag.tar" \
    "($(du -h "$out/mfr-$name-$tag.tar" | cut -f1) uncompressed)"
done
