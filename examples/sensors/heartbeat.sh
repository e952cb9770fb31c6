#!/bin/sh
# Demo script sensor: one "check in" task per 5 minutes of wall time. The
# source makes re-runs within the same 5 minutes deduplicate, not duplicate.
slot=$(( $(date +%s) / 300 ))
printf '{"subject":"demo check-in %s","description":"queued by the heartbeat sensor","priority":6,"source":"slot-%s","max_age":"30m"}\n' "$slot" "$slot"
