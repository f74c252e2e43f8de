#!/bin/sh
# Bazel test wrapper: runs a Python test with the system python3, the one
# Debian's python3-yaml (tools/install-deps.sh) installs into.
if [ -x /usr/bin/python3 ]; then exec /usr/bin/python3 "$@"; fi
exec python3 "$@"
