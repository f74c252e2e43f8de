#!/usr/bin/env bash
# Installs every Debian package (and npm package tree) that building, running
# and testing mfr needs.
# Idempotent: packages already present are skipped quickly. Needs root.
set -euo pipefail

packages=(
  # build
  bazel-bootstrap bazel-rules-java pkg-config g++
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev prometheus-cpp-dev
  # the controller's allocator: glibc malloc spent a third of a range
  # query in RocksDB's block churn (tests/bench/README.md)
  libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tests and the demo: real filesystems on loop devices
  xfsprogs e2fsprogs util-linux coreutils python3
  # the faulty-disk fixture: a FUSE file whose ranges fail reads with EIO
  libfuse3-dev fuse3
  # alert rules and dashboard checks: promtool and a real Prometheus
  prometheus prometheus-alertmanager
  # Kubernetes manifests' test (deploy/k8s): YAML in Python
  python3-yaml
  # container images without a daemon (tools/build-images.sh): an OCI
  # layout written by umoci, docker-archive tarballs by skopeo
  umoci skopeo
)

# Commands the tests need that a machine may already have from a package
# whose files clash with Debian's (this machine kind's kubectl comes from
# Google's `kubectl`, node and npm from NodeSource's `nodejs`): the Debian
# package after the colon is installed only when the command is missing.
commands=(
  # deploy/k8s: `kubectl kustomize` (Debian's is kubectl 1.20), and node
  # with npm for the schema validator
  kubectl:kubernetes-client node:nodejs npm:npm
)

# npm packages the tests need, pinned by a lock file in the tree and
# installed with `npm ci` outside it (Bazel must not see a node_modules),
# never at test time: "lock file directory:install directory".
npm_trees=(
  # deploy/k8s: the Kubernetes and prometheus-operator schemas
  deploy/k8s/schema:/opt/mfr/k8s-schema
)
root="$(cd "$(dirname "$0")/.." && pwd)"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
for c in "${commands[@]}"; do
  command -v "${c%%:*}" >/dev/null || missing+=("${c#*:}")
done
stale_npm=()
for t in "${npm_trees[@]}"; do
  # A stamp (the lock file, copied after a successful npm ci) says whether
  # the installed tree is the locked one.
  cmp -s "$root/${t%%:*}/package-lock.json" "${t#*:}/.installed-lock.json" ||
    stale_npm+=("$t")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#stale_npm[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}) or npm trees (${stale_npm[*]}) and not root; run as root" >&2
  exit 1
fi
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for t in "${stale_npm[@]}"; do
  src="$root/${t%%:*}" dst="${t#*:}"
  echo "install-deps: npm ci ${t%%:*} into $dst"
  rm -rf "$dst"
  mkdir -p "$dst"
  cp "$src/package.json" "$src/package-lock.json" "$dst/"
  (cd "$dst" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$src/package-lock.json" "$dst/.installed-lock.json"
done
echo "install-deps: done"
