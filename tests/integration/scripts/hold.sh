#!/bin/sh
# Holds its task until killed, with a child that ignores SIGTERM; writes
# "EXECUTOR_PID CHILD_PID" to DIR/TASK_ID.pids. Usage: hold.sh DIR
sh -c 'trap "" TERM; while :; do sleep 1; done' &
echo "$$ $!" > "$1/$ARC_TASK_ID.pids"
while :; do sleep 1; done
