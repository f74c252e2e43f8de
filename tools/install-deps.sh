#!/usr/bin/env bash
# Installs every Debian package that building, running and testing mfr needs.
# Idempotent: packages already present are skipped quickly. Needs root.
set -euo pipefail

packages=(
  # build
  bazel-bootstrap bazel-rules-java pkg-config g++
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tests and the demo: real filesystems on loop devices
  xfsprogs e2fsprogs util-linux coreutils python3
  # the faulty-disk fixture: a FUSE file whose ranges fail reads with EIO
  libfuse3-dev fuse3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
