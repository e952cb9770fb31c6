#!/usr/bin/env bash
# Builds arc-runtime and starts arcd on examples/arc.toml (database ./arc.db).
# Then, in another terminal:  build/arc tasks add --subject "hello" && build/arc status
source "$(dirname "$0")/common.sh"
arc_install_packages
arc_build "$ARC_ROOT/build" Debug --target arcd arc
cd "$ARC_ROOT"
# Queue a few tasks so that something flows at once (deduplicated by source on
# re-runs): an agent task (the stand-in Claude gets its prompt, reports a cost
# and closes it itself), demo executors, and a word count.
build/arc --config examples/arc.toml tasks add --subject "Summarise the inbox" --skills inbox-digest \
  --source "run.sh:agent" --description "What is new in examples/inbox?" >/dev/null
for i in 1 2 3; do
  build/arc --config examples/arc.toml tasks add --subject "demo task $i" --skills demo --source "run.sh:demo-$i" \
    --description "a demo task queued by scripts/run.sh" >/dev/null
done
build/arc --config examples/arc.toml tasks add --subject "word count" --skills report \
  --source "run.sh:report" --description "count the words of this description" >/dev/null
echo "arcd starting on examples/arc.toml; Ctrl-C stops it gracefully."
exec build/arcd --config examples/arc.toml "$@"
