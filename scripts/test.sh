#!/usr/bin/env bash
# Builds arc-runtime and runs every test: the unit, actor, integration and
# scenario tests (some with the real Claude Code CLI, scripts/claude-code.sh)
# and a 20-round crash loop (ctest); the same tests under
# ASan+UBSan (scripts/sanitize.sh); and each fuzz target for 20 s
# (scripts/fuzz.sh). ARC_QUICK=1 runs only the first part.
source "$(dirname "$0")/common.sh"
arc_install_packages
# The real Claude Code CLI, pinned, from npm into a cache outside the repository.
ARC_CLAUDE_CODE="$("$ARC_ROOT/scripts/claude-code.sh")"
export ARC_CLAUDE_CODE
arc_build "$ARC_ROOT/build" Debug
(cd "$ARC_ROOT/build" && ctest --output-on-failure -j2 --timeout 600 "$@")
[ "${ARC_QUICK:-0}" = 1 ] && exit 0
echo "== sanitizers (ASan + UBSan)"
"$ARC_ROOT/scripts/sanitize.sh"
echo "== fuzzing, 20 s a target"
"$ARC_ROOT/scripts/fuzz.sh" 20
