#!/usr/bin/env bash
# The README's demo entry point (.ci/demo) on an existing build tree, for a bounded time: the
# account is linked by the simulated scan, customers' messages arrive on Kafka `inbound` (read by
# kcat), the auto-responder's replies are delivered (`results`), the routing plugin assigns
# conversations to the demo's agents by skill (`conversation.assigned` on `events`), and the console
# URL is printed.
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
assignments=$(grep '^switchboard.events key=cv_.*"type":"conversation.assigned"' "$WORK/out" || true)
assigned=$(grep -c . <<<"$assignments" || true)
[[ -n $assignments ]] || fail "no conversation.assigned on events"
grep -q '"assignee":"\(ana\|ben\|cleo\)"' <<<"$assignments" || fail "an assignment to no demo agent: $assignments"
# A question about prices needs the billing skill: ben or cleo, never ana (orders only).
billing=$(grep 'with skill billing' <<<"$assignments" || true)
[[ -n $billing ]] || fail "no conversation was routed by the billing skill: $assignments"
grep -q '"assignee":"ana"' <<<"$billing" && fail "a billing conversation went to ana: $billing"
grep -q "^== Web console: http://127.0.0.1:[0-9]*/console/#token=sbt_" "$WORK/out" || fail "no console URL"
echo "PASS: the demo linked the account; kcat read $inbound inbound records, $delivered delivered replies and $assigned assignments"
