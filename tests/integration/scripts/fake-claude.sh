#!/bin/sh
# A stand-in for `claude -p --output-format stream-json`: prints events of
# the real shapes. The first run (per state directory $1) hits the usage
# limit, which resets 5 seconds from now; every other run succeeds.
state="$1"
cat >/dev/null
echo "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"fake-$ARC_TASK_ID\",\"model\":\"claude-fake\",\"tools\":[]}"
if mkdir "$state/limited" 2>/dev/null; then
  reset=$(( $(date +%s) + 5 ))
  echo "$reset" > "$state/reset_at"
  echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,\"result\":\"Claude AI usage limit reached|$reset\",\"session_id\":\"fake-$ARC_TASK_ID\"}"
  exit 1
fi
echo '{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"working on it"}]}}'
echo "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"did task $ARC_TASK_ID\",\"total_cost_usd\":0.0123,\"usage\":{\"input_tokens\":100,\"output_tokens\":20},\"session_id\":\"fake-$ARC_TASK_ID\"}"
