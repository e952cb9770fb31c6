#!/bin/bash
# The crash loop's executor. Usage: run-task.sh SIDE MAX_MS
# Records every run in SIDE: "S task pid ns" at the start, "E task pid ns"
# at the end, and "O task pid" if an earlier run of the same task is still
# alive (two runs at once: an invariant violation). Works for a random time
# up to MAX_MS; one run in four works in a child process, which a kill -9 of
# arcd leaves behind for the next arcd's start-up to kill.
side="$1"; max="${2:-300}"
cat >/dev/null
for p in $(grep "^S $ARC_TASK_ID " "$side" 2>/dev/null | cut -d' ' -f3); do
  # Alive, not a zombie, and still a run of this script (not a reused pid).
  if [ "$p" != "$$" ] && [ -e "/proc/$p/stat" ] && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null \
     && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q "run-task.sh $side" \
     && tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "ARC_TASK_ID=$ARC_TASK_ID"; then
    echo "O $ARC_TASK_ID $p" >> "$side"
  fi
done
echo "S $ARC_TASK_ID $$ $(date +%s%N)" >> "$side"
ms=$((RANDOM % max))
if [ $((RANDOM % 4)) -eq 0 ]; then
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" &
  wait $!
else
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
fi
echo "E $ARC_TASK_ID $$ $(date +%s%N)" >> "$side"
