#!/usr/bin/env bash
# Builds Release and runs apps/arc-bench: each figure against its target,
# with the raw SQLite ceiling measured in the same run.
#   scripts/bench.sh [--quick] [--json FILE] [--dir DIR]
source "$(dirname "$0")/common.sh"
ARC_PACKAGES+=(libbenchmark-dev)
arc_install_packages
arc_build "$ARC_ROOT/build-release" Release --target arc-bench arcd
cd "$ARC_ROOT"
exec build-release/arc-bench --arcd build-release/arcd "$@"
