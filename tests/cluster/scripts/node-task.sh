#!/bin/sh
# Usage: node-task.sh LOG NODE. The executor of the cluster tests; the task's
# subject says what it does: "sleep:N" works N seconds; "limit" reports a
# usage limit that resets 4 s from now (the first time; later runs
# complete); anything else completes at once. Every run logs
# "start ID NODE" and, as it ends, "end ID NODE".
log="$1"; node="$2"
cat >/dev/null
echo "start $ARC_TASK_ID $node" >> "$log"
case "$ARC_TASK_SUBJECT" in
  sleep:*) sleep "${ARC_TASK_SUBJECT#sleep:}" ;;
  child:*)
    # The work runs in a child, which a kill -9 of the worker leaves alive.
    sleep "${ARC_TASK_SUBJECT#child:}" &
    echo "child $ARC_TASK_ID $!" >> "$log"
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
