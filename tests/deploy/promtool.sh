#!/bin/sh
# Bazel test wrapper: runs Debian's promtool with the test's arguments, e.g.
# `check rules FILE` or `test rules FILE`. Without promtool it fails and says
# how to get it: CI installs it, so a missing promtool is never a skip.
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is not installed: run tools/install-deps.sh as root (CI installs it);" \
    "it comes with Debian's prometheus package" >&2
  exit 1
fi
exec promtool "$@"
