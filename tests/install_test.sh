#!/bin/sh
# `cmake --install` puts arcd, arc, arc-trace, the systemd unit, the example
# config and the docs where an operator looks for them, and the installed
# binaries print their version and git revision. Usage: install_test.sh BUILD_DIR
set -eu
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$build" --prefix /usr/local >/dev/null
root=$dest/usr/local
for f in bin/arcd bin/arc bin/arc-trace lib/systemd/system/arcd.service share/doc/arc_runtime/operator-guide.md \
         share/doc/arc_runtime/http-api.md share/doc/arc_runtime/examples/arc.toml; do
  [ -e "$root/$f" ] || { echo "not installed: $f"; exit 1; }
done
unit=$root/lib/systemd/system/arcd.service
grep -q '^ExecStart=/usr/local/bin/arcd --config /etc/arc/arc.toml$' "$unit" || { echo "ExecStart does not name the installed arcd"; exit 1; }
grep -q '^Type=notify$' "$unit" && grep -q '^WatchdogSec=' "$unit" || { echo "the unit lacks Type=notify / WatchdogSec"; exit 1; }
for b in arcd arc arc-trace; do
  out=$("$root/bin/$b" --version)
  echo "$out" | grep -Eq "^$b [0-9]+\.[0-9]+\.[0-9]+ \(([0-9a-f]{7,}|unknown)\)$" || { echo "$b --version printed: $out"; exit 1; }
  echo "$out"
done
if command -v systemd-analyze >/dev/null; then
  # verify checks that ExecStart exists: point it at the staged binary.
  sed "s#^ExecStart=/usr/local/bin/arcd#ExecStart=$root/bin/arcd#" "$unit" > "$dest/arcd.service"
  systemd-analyze verify "$dest/arcd.service"
  systemd-analyze security --offline=true "$dest/arcd.service" 2>/dev/null | tail -1
fi
echo ok
