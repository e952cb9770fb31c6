#!/bin/sh
# A script sensor that fails on every run.
echo "upstream API unreachable" >&2
exit 1
