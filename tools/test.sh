#!/usr/bin/env bash
# Installs what the tests need, runs the whole mfr test suite with Bazel and
# prints a closing line "N passed, N failed, N skipped" counted from the
# per-test XML reports. Run as root: the integration tests use loop devices
# and mounts (without root they skip, visibly).
set -uo pipefail
cd "$(dirname "$0")/.."

./tools/install-deps.sh || exit 1

bazel test //... --keep_going "$@"
bazel_rc=$?

python3 tools/count_test_results.py
count_rc=$?

# Exit code 4 means Bazel found no test targets: that is a failure here.
if [ "$bazel_rc" -ne 0 ] || [ "$count_rc" -ne 0 ]; then
  exit 1
fi
