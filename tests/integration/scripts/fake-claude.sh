#!/bin/sh
# A stand-in for `claude -p --output-format stream-json` that replays Claude
# Code's own lines (tests/data/claude, see its README). The first run (per
# state directory $1) hits the 5-hour limit, which resets 5 seconds from now
# (a rejected rate_limit_event); every other run succeeds.
state="$1"
data="$(dirname "$0")/../../data/claude"
cat >/dev/null
if mkdir "$state/limited" 2>/dev/null; then
  reset=$(( $(date +%s) + 5 ))
  echo "$reset" > "$state/reset_at"
  sed "s/\"resetsAt\":[0-9]*/\"resetsAt\":$reset/" "$data/rejected-five-hour.jsonl"
  exit 1
fi
cat "$data/success.jsonl"
