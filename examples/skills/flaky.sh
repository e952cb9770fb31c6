#!/bin/sh
# Demo executor that fails now and then: exits non-zero (a crash, retried
# with backoff) on a task's first attempt when its id is divisible by 3.
cat >/dev/null
sleep 1
if [ "$ARC_TASK_ATTEMPT" = "1" ] && [ $((ARC_TASK_ID % 3)) -eq 0 ]; then
  echo "flaky: transient error talking to the demo service" >&2
  exit 3
fi
echo '{"summary":"flaky demo succeeded","cost_usd":0.002}'
