#!/bin/sh
# Demo executor: reads the task JSON on stdin, works for a moment, and
# reports a summary and a cost on its last stdout line (docs/executor-protocol.md).
task=$(cat)
sleep "${DEMO_SLEEP:-1}"
echo "working on task $ARC_TASK_ID: $ARC_TASK_SUBJECT"
cost=$(awk -v id="$ARC_TASK_ID" 'BEGIN { printf "%.4f", (id % 7) * 0.0031 }')
printf '{"status":"completed","summary":"demo finished task %s (%d bytes of task JSON)","cost_usd":%s,"tokens_in":%d,"tokens_out":%d}\n' \
  "$ARC_TASK_ID" "${#task}" "$cost" $((ARC_TASK_ID * 13 % 900 + 100)) $((ARC_TASK_ID * 7 % 300 + 20))
