#!/bin/sh
# Bazel wrapper: runs snapshot_bench.py with the system python3 from the
# runfiles tree (the binaries it starts are data dependencies).
here="$(dirname "$0")"
script="${RUNFILES_DIR:-$0.runfiles}/mfr/tests/bench/snapshot_bench.py"
[ -f "$script" ] || script="$here/snapshot_bench.py"
exec python3 "$script" "$@"
