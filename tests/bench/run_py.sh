#!/bin/sh
# Bazel wrapper: runs the Python benchmark named by the first argument with
# the system python3 from the runfiles tree (the binaries it starts are
# data dependencies).
here="$(dirname "$0")"
name="$1"
shift
script="${RUNFILES_DIR:-$0.runfiles}/mfr/tests/bench/$name"
[ -f "$script" ] || script="$here/$name"
exec python3 "$script" "$@"
