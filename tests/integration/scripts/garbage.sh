#!/bin/sh
# Prints binary noise and a result line that is not valid JSON, then exits 0.
head -c 300 /dev/urandom
printf '\n{"summary": "half a result", "cost_usd": \n'
