#!/bin/sh
# Usage: sensor.sh NODE. A script sensor on a worker: one task line whose
# source names the node, so that repeated runs are deduplicated on the hub.
echo "{\"subject\":\"seen by $1\",\"source\":\"seen-$1\",\"skills\":[\"work\"]}"
