#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each one for
# SECONDS (default 20) on its committed seed corpus. A longer run:
#   scripts/fuzz.sh 600
source "$(dirname "$0")/common.sh"
ARC_PACKAGES+=(clang-14 libclang-rt-14-dev)
arc_install_packages
seconds="${1:-20}"
dir="$ARC_ROOT/build-fuzz"
cmake -S "$ARC_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARC_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build "$dir" -j2 --target reset_time_fuzz executor_output_fuzz config_fuzz
for target in reset_time executor_output config; do
  work="$dir/corpus-$target"
  mkdir -p "$work"
  echo "== $target: ${seconds}s"
  "$dir/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    "$work" "$ARC_ROOT/tests/fuzz/corpus/$target" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY" || true
  # libFuzzer exits non-zero on a crash; the grep above hides that, so check for artefacts.
  if ls ./crash-* ./leak-* ./timeout-* >/dev/null 2>&1; then echo "fuzz: $target found a crash"; exit 1; fi
done
