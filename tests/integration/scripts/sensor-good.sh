#!/bin/sh
# A script sensor: two task lines (one repeating source) and one malformed line.
n=$(date +%s)
echo "{\"subject\":\"observed $n\",\"source\":\"obs-$n\"}"
echo "this line is not JSON"
echo '{"subject":"standing item","source":"standing"}'
