#!/bin/sh
# Usage: node-task.sh LOG NODE. The executor of the cluster tests; the task's
# subject says what it does: "sleep:N" works N seconds; "limit" reports a
# usage limit that resets 4 s from now (the first time; later runs
# complete); anything else completes at once. Every run logs
# "start ID NODE" and, as it ends, "end ID NODE". A run that works ("sleep:N",
# "child:N") does so in a child process and writes "ID NODE PID CHILD_PID" to
# LOG.pids, so that a test can tell whether the run's processes are gone
# (arcd starts the executor as the leader of its own process group: PID is
# also the group's id).
log="$1"; node="$2"
cat >/dev/null
echo "start $ARC_TASK_ID $node" >> "$log"
case "$ARC_TASK_SUBJECT" in
  sleep:*)
    sleep "${ARC_TASK_SUBJECT#sleep:}" &
    echo "$ARC_TASK_ID $node $$ $!" >> "$log.pids"
    wait ;;
  child:*)
    # The work runs in a child, which a kill -9 of the worker leaves alive.
    sleep "${ARC_TASK_SUBJECT#child:}" &
    echo "child $ARC_TASK_ID $!" >> "$log"
    echo "$ARC_TASK_ID $node $$ $!" >> "$log.pids"
    wait ;;
  limit)
    if [ ! -e "$log.limited" ]; then
      : > "$log.limited"
      reset=$(date -u -d '+4 seconds' +%Y-%m-%dT%H:%M:%SZ)
      echo "end $ARC_TASK_ID $node" >> "$log"
      echo "{\"status\":\"rate_limited\",\"stop_reason\":\"usage limit reached, resets $reset\"}"
      exit 0
    fi ;;
esac
echo "end $ARC_TASK_ID $node" >> "$log"
echo "{\"summary\":\"done by $node\"}"
