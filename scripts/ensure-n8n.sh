#!/usr/bin/env bash
# Installs a real n8n runtime into a cache folder (once) and prints its folder.
# Usage: scripts/ensure-n8n.sh [version]   (default 1.123.81)
set -euo pipefail
version="${1:-${N8N_VERSION:-1.123.81}}"
cache="${N8N_RUNTIME_CACHE:-$HOME/.cache/n8n-nodes-provisioning}"
dir="$cache/n8n-$version"
mkdir -p "$cache"
# One installer per version at a time: a second caller waits, then finds it ready.
exec 9>"$cache/.lock-$version"
flock 9
if [ ! -f "$dir/.ready" ]; then
  mkdir -p "$dir"
  cat > "$dir/package.json" <<JSON
{ "name": "n8n-runtime", "private": true,
  "dependencies": { "n8n": "$version" },
  "overrides": { "xlsx": "npm:xlsx@0.18.5" } }
JSON
  # xlsx normally points at a CDN tarball this machine cannot reach; sqlite3 is built against local headers.
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
    && npm rebuild sqlite3 --build-from-source --loglevel=error >&2)
  touch "$dir/.ready"
fi
echo "$dir"
