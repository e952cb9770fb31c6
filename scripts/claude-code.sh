#!/usr/bin/env bash
# Installs the pinned Claude Code CLI (npm @anthropic-ai/claude-code, a
# native binary) into a cache outside the repository, once, and prints the
# path of its binary. scripts/test.sh runs the tests against it (not logged
# in: they need no account and no network). Override the cache with
# ARC_CACHE_DIR; bump the version here when a new CLI is to be checked.
set -euo pipefail
version=2.1.332
cache="${ARC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/arc-runtime}/claude-code-$version"
bin="$cache/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
if ! "$bin" --version >/dev/null 2>&1; then
  if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  echo "installing @anthropic-ai/claude-code@$version into $cache" >&2
  rm -rf "$cache"
  mkdir -p "$cache"
  # Its postinstall links the platform's binary over a placeholder: scripts must run.
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error "@anthropic-ai/claude-code@$version" >&2)
  "$bin" --version >/dev/null || { echo "claude-code.sh: $bin does not run" >&2; exit 1; }
fi
echo "$bin"
