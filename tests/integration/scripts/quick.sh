#!/bin/sh
# Completes at once, reporting a cost.
cat >/dev/null
echo "{\"summary\":\"quick done $ARC_TASK_ID\",\"cost_usd\":0.001,\"tokens_in\":10,\"tokens_out\":2}"
