#!/bin/sh
# Bazel test wrapper: runs a Python integration test with the system python3.
exec python3 "$@"
