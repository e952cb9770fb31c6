#!/bin/sh
# Hangs forever, with a child that ignores SIGTERM; writes the child's pid to $1.
sh -c 'trap "" TERM; while :; do sleep 1; done' &
echo $! > "$1"
while :; do sleep 1; done
