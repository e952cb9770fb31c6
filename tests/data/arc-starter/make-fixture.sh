#!/usr/bin/env bash
# Remakes arc.sqlite with Arc's own schema code (see make-fixture.ts): Bun
# from npm into a cache, and arc-starter's src/db.ts and src/identity.ts
# (MIT) from ../shared/bench-anchors/arc-starter-src, copied into a scratch
# folder. The result is committed; this script is how it was made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${ARC_STARTER_SRC:-$here/../../../../shared/bench-anchors/arc-starter-src}
cache="${ARC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/arc-runtime}/bun"
[ -x "$cache/node_modules/.bin/bun" ] || (mkdir -p "$cache" && cd "$cache" && npm install --no-audit --no-fund bun@1.4.4 >&2)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cp "$src/db.ts" "$src/identity.ts" "$work/src/"
cp "$here/make-fixture.ts" "$work/"
(cd "$work" && "$cache/node_modules/.bin/bun" make-fixture.ts)
sqlite3 "$work/db/arc.sqlite" "VACUUM INTO '$here/arc.sqlite.new'"
mv "$here/arc.sqlite.new" "$here/arc.sqlite"
echo "wrote $here/arc.sqlite"
