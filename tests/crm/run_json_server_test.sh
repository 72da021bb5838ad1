#!/bin/sh
# Runs crm_json_server_test against json-server from tests/node (npm). Skips (77) only when node is
# missing; a missing json-server is a failure (run `npm ci` in tests/node).
# Usage: run_json_server_test.sh <test binary> <tests/node directory> [gtest arguments...]
set -eu
binary=$1
node_dir=$2
shift 2
node=$(command -v node || true)
if [ -z "$node" ]; then
  echo "SKIP: node is not installed; the CRM tests against json-server need it (Node 18 or later)"
  exit 77
fi
cli="$node_dir/node_modules/json-server/lib/cli/bin.js"
if [ ! -f "$cli" ]; then
  echo "FAIL: $cli is missing; run 'npm ci' in $node_dir" >&2
  exit 1
fi
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$node_dir/node_modules/json-server/package.json" | head -n 1)
echo "json-server $version on node $("$node" --version)"
SB_NODE=$node SB_JSON_SERVER=$cli exec "$binary" "$@"
