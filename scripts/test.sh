#!/usr/bin/env bash
# Builds arc-runtime and runs every test (unit and integration) with ctest.
source "$(dirname "$0")/common.sh"
arc_install_packages
arc_build "$ARC_ROOT/build" Debug
cd "$ARC_ROOT/build"
ctest --output-on-failure -j2 --timeout 600 "$@"
