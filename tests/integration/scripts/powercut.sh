#!/bin/sh
# Usage: powercut.sh LOG MODE. While the file LOG.slow exists a run works for
# a minute (the test cuts the power meanwhile), else briefly. MODE=direct: the executor process itself sleeps (exec). MODE=child: the
# work runs in a child process (which a kill -9 of arcd leaves alive).
# Every run logs "start ID PID" / "end ID PID"; a run that finds an earlier
# run of its task still alive logs "overlap".
log="$1"; mode="$2"
cat >/dev/null
for p in $(grep "^start $ARC_TASK_ID " "$log" 2>/dev/null | cut -d' ' -f3); do
  # Alive: not a zombie waiting for its reaper, and not already exiting. A
  # process killed by SIGKILL whose memory is gone (empty cmdline) is in the
  # kernel's exit path and runs no code of its own any more; it showed as
  # state R for a moment under ASan and was once counted as an overlap.
  if [ -e "/proc/$p/stat" ] && ! grep -q ') Z' "/proc/$p/stat" 2>/dev/null &&
     [ -n "$(tr -d '\0' < "/proc/$p/cmdline" 2>/dev/null)" ]; then
    echo "overlap $ARC_TASK_ID $p" >> "$log"
  fi
done
if [ -e "$log.slow" ]; then dur=60; else dur=0.2; fi
if [ "$mode" = child ]; then
  sh -c 'echo "start $ARC_TASK_ID $$" >> "$0"; sleep "$1"; echo "end $ARC_TASK_ID $$" >> "$0"' "$log" "$dur"
  echo '{"summary":"worked through the power cut"}'
else
  # The executor process itself is the work: nothing is left if it dies.
  echo "start $ARC_TASK_ID $$" >> "$log"
  exec sleep "$dur"
fi
