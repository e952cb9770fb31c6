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
targets=(reset_time executor_output config sensor_output task_spec task_json prompt trace_file)
cmake --build "$dir" -j2 --target "${targets[@]/%/_fuzz}"
for target in "${targets[@]}"; do
  work="$dir/corpus-$target"
  mkdir -p "$work"
  echo "== $target: ${seconds}s"
  # The new inputs go to $work, never into the committed seeds (second dir).
  if ! "$dir/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$dir/$target-" "$work" "$ARC_ROOT/tests/fuzz/corpus/$target" > "$dir/$target.log" 2>&1; then
    grep -E "ERROR|SUMMARY|Test unit written" "$dir/$target.log" || tail -20 "$dir/$target.log"
    echo "fuzz: $target found a crash (input saved as $dir/$target-*)"
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|new_units_added)" "$dir/$target.log"
done
