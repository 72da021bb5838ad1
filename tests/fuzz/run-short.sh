#!/bin/sh
# Runs every libFuzzer target in BUILD_DIR/tests/fuzz for SECONDS each on its seed corpus (copied,
# so the committed corpus stays as it is). Exits non-zero if any target finds a crash.
# Usage: tests/fuzz/run-short.sh BUILD_DIR SECONDS
set -eu
build=${1:?usage: run-short.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run-short.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
found=0
for corpus in "$here"/corpus/*/; do
  name=$(basename "$corpus")
  bin="$build/tests/fuzz/$name"
  if [ ! -x "$bin" ]; then
    echo "run-short: $bin is not built" >&2
    status=1
    continue
  fi
  found=$((found + 1))
  mkdir -p "$work/$name"
  cp "$corpus"* "$work/$name/" 2>/dev/null || true
  echo "== $name: ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/$name-" \
        "$work/$name" 2>"$work/$name.log"; then
    tail -n 60 "$work/$name.log" >&2
    for a in "$work/$name-"*; do
      [ -e "$a" ] && cp "$a" "./" && echo "run-short: crash input saved as ./$(basename "$a")" >&2
    done
    status=1
  else
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)|cov:' "$work/$name.log" | tail -n 3
  fi
done
[ "$found" -gt 0 ] || { echo "run-short: no fuzz targets found" >&2; exit 1; }
exit $status
