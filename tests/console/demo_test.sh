#!/usr/bin/env bash
# The README's demo entry point (.ci/demo) on an existing build tree, for a bounded time: the
# account is linked by the simulated scan, customers' messages arrive on Kafka `inbound` (read by
# kcat), the auto-responder's replies are delivered (`results`), and the console URL is printed.
# Usage: demo_test.sh SOURCE_DIR BUILD_DIR
SRC=$1 BUILD=$2
set -euo pipefail
WORK=$(mktemp -d -t sbdemo.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- demo output:" >&2; grep -v '[█▀▄]' "$WORK/out" | tail -40 >&2; exit 1; }

set +e
SB_DEMO_BIN_DIR=$BUILD SB_DEMO_STATE=$WORK/demo SB_DEMO_SECONDS=${SB_DEMO_SECONDS:-12} \
  timeout 180 "$SRC/.ci/demo" >"$WORK/out" 2>&1
rc=$?
set -e
[[ $rc -eq 0 ]] || fail "the demo exited $rc"
grep -q "^== linked: 15550001000:[0-9]*@s.whatsapp.net" "$WORK/out" || fail "the account was not linked"
inbound=$(grep -c '^switchboard.inbound key=cv_.*"text":"' "$WORK/out" || true)
((inbound >= 3)) || fail "only $inbound records on inbound"
grep -q '^switchboard.events key=15550001000: .*"session.qr"' "$WORK/out" || fail "no session.qr on events"
delivered=$(grep -c '^switchboard.results key=bot:.*RESULT_STAGE_DELIVERED' "$WORK/out" || true)
((delivered >= 1)) || fail "no auto-responder reply was delivered"
grep -q "^== Web console: http://127.0.0.1:[0-9]*/console/#token=sbt_" "$WORK/out" || fail "no console URL"
echo "PASS: the demo linked the account; kcat read $inbound inbound records and $delivered delivered replies"
