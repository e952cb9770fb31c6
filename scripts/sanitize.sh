#!/usr/bin/env bash
# Builds the tests with AddressSanitizer + UndefinedBehaviorSanitizer (and
# LeakSanitizer) in build-asan and runs them; any report fails the run. The
# sanitized arcd is what the integration tests start, so kill -9, restarts
# and fault injection run under the sanitizers too. The crash loop is left to
# the normal build (it is about processes, not memory).
#   scripts/sanitize.sh [ctest args]
# No UBSan suppressions: with -fno-sanitize-recover they would not apply, and
# CAF 0.17.6's one known report (an actor spawned without arguments) is avoided.
# TSan is not run: Debian's CAF libraries are not instrumented, and TSan
# reports races inside them (../shared/CAF-0.17-NOTES.md).
source "$(dirname "$0")/common.sh"
arc_install_packages
dir="$ARC_ROOT/build-asan"
cmake -S "$ARC_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$dir" -j2 --target arc_unit_tests arc_actor_tests arc_integration_tests arc_scenario_tests arc_http_tests \
  arc_cluster_tests
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$dir/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$dir/ubsan"
rm -f "$dir"/asan.* "$dir"/ubsan.*
cd "$dir"
status=0
ctest --output-on-failure -j2 --timeout 600 -E "CrashLoop" "$@" || status=$?
# A sanitizer report in a child process (arcd, arc) may not fail its test: look.
if ls "$dir"/asan.* "$dir"/ubsan.* >/dev/null 2>&1; then
  echo "sanitize: reports were written:"
  for f in "$dir"/asan.* "$dir"/ubsan.*; do echo "== $f"; head -40 "$f"; done
  status=1
fi
exit $status
