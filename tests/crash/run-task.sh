#!/bin/bash
# The crash loop's executor. Usage: run-task.sh SIDE MAX_MS
# Works for a random time up to MAX_MS and records in SIDE (ns: date +%s%N):
#   "S task pid ns"             the run (process pid) starts
#   "E task pid ns"             it ends
#   "C task pid helper ns"      child mode: it started the helper child `helper`
#   "H task pid helper ns"      the helper is still working (every 100 ms)
#   "X task pid helper ns"      the helper finished its work by itself
#   "O task pid"                this run started while pid, an earlier run of
#                               the same task or a helper child of one, was
#                               alive: two runs at once, an invariant violation
# Child mode (one run in four): the run starts a helper child in its process
# group that would go on working for 30 s, long after the run. When the run
# ends, arcd kills it with the group. When arcd is killed -9, the run dies
# with it (PDEATHSIG) but the helper lives on: the next arcd's start-up must
# kill it (a stray executor group) before the task runs again. Its heartbeats
# after the task's next run started would show the two running at once.
#
# Usage of the helper itself (started by a run): run-task.sh SIDE helper PID
side="$1"; max="${2:-300}"
if [ "$max" = helper ]; then
  run="$3"
  for _ in $(seq 300); do
    echo "H $ARC_TASK_ID $run $$ $(date +%s%N)" >> "$side"
    sleep 0.1
  done
  echo "X $ARC_TASK_ID $run $$ $(date +%s%N)" >> "$side"
  exit 0
fi
cat >/dev/null
# Earlier runs of this task (field 3 of S lines) and their helpers (field 4 of C lines).
for p in $(grep -E "^[SC] $ARC_TASK_ID " "$side" 2>/dev/null | awk '{ print $1 == "S" ? $3 : $4 }'); do
  # Alive, not a zombie, and still a process of this script for this task (not a reused pid).
  if [ "$p" != "$$" ] && [ -e "/proc/$p/stat" ] && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null \
     && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q "run-task.sh $side" \
     && tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx "ARC_TASK_ID=$ARC_TASK_ID"; then
    echo "O $ARC_TASK_ID $p" >> "$side"
  fi
done
echo "S $ARC_TASK_ID $$ $(date +%s%N)" >> "$side"
ms=$((RANDOM % max))
if [ $((RANDOM % 4)) -eq 0 ]; then
  # Not on arcd's pipes: a helper holding them open would make arcd wait for it.
  "$0" "$side" helper $$ </dev/null >/dev/null 2>&1 &
  echo "C $ARC_TASK_ID $$ $! $(date +%s%N)" >> "$side"
fi
sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
echo "E $ARC_TASK_ID $$ $(date +%s%N)" >> "$side"
