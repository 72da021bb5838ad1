#!/usr/bin/env bash
# The WhatsApp connector's session control through sbctl, against switchboard-wasim: an account
# added at runtime, linked by a pairing code (`sbctl pair ACCOUNT --phone N` prints the code; the
# account's simulated phone confirms it; sbctl exits 0 once linked), still linked after a restart
# (the account lives in the connector's storage), logged out (credentials gone, logged_out event),
# absent after the next restart, and added again (pairing anew by QR code).
# Usage: sbctl_pair_code_test.sh SWITCHBOARDD SBCTL WASIM PLUGIN_DIR SOURCE_DIR
SB_BIN=$1 SBCTL=$2 WASIM=$3 SB_PLUGIN_DIR=$4 SRC=$5
SB_TEST_PLUGIN_DIR=$SB_PLUGIN_DIR
source "$SRC/tests/foundation/process_lib.sh"
source "$SRC/tests/console/wa_stack.sh"
trap 'stop_wasim; cleanup' EXIT

CONFIGURED=15550005000  # in the configuration
ADDED=15550005001       # added at runtime
start_wasim "$CONFIGURED:Configured" "$ADDED:Added At Runtime"
start_wa_daemon "$CONFIGURED"
export SBCTL_URL=$ADMIN_URL SBCTL_TOKEN_FILE=$WORK/admin.token
api() { curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$@"; }
state_of() { api "$ADMIN_URL/v1/accounts/$1" | python3 -c 'import json,sys; s=json.load(sys.stdin)["session"]; print(s["state"] if s else "none")'; }
restart() {
  stop_daemon TERM
  [[ $SB_EXIT -eq 0 ]] || fail "daemon exit code $SB_EXIT"
  start_daemon "$WORK/cfg.yaml"
  ADMIN_URL=$(sed -n 's/.*admin API listening\. url=\([^ ]*\).*/\1/p' "$SB_LOG" | head -1)
  export SBCTL_URL=$ADMIN_URL
}

# 1. Added at runtime: the connector starts it at once and shows a QR code.
"$SBCTL" accounts add "$ADDED" --name "Added At Runtime" >"$WORK/add.out" 2>&1 || fail "accounts add: $(cat "$WORK/add.out")"
wait_for 30 has_qr "$ADDED" || fail "the added account showed no QR code (state $(state_of "$ADDED"))"
"$SBCTL" --json accounts >"$WORK/list.json" || fail "sbctl accounts failed"
python3 - "$WORK/list.json" "$ADDED" "$CONFIGURED" <<'PY' || fail "accounts list: $(cat "$WORK/list.json")"
import json, sys
listed = {a["id"]: a for a in json.load(open(sys.argv[1]))["items"]}
assert listed[sys.argv[2]]["session"]["state"] == "pairing", listed[sys.argv[2]]
assert listed[sys.argv[3]]["session"]["state"] == "pairing", listed[sys.argv[3]]
assert listed[sys.argv[2]]["connector"] == "whatsapp", listed[sys.argv[2]]
PY
pass "an account added at runtime runs and shows a QR code"

# 2. sbctl pair --phone: prints the code, waits; the phone confirms it; sbctl exits 0.
"$SBCTL" --json pair "$ADDED" --phone "$ADDED" --wait 60 >"$WORK/pair.out" 2>"$WORK/pair.err" &
PAIR_PID=$!
code_printed() { grep -q '"pairing_code"' "$WORK/pair.out"; }
wait_for 20 code_printed || fail "sbctl printed no pairing code: $(cat "$WORK/pair.out" "$WORK/pair.err")"
CODE=$(sed -n 's/.*"pairing_code":"\([^"]*\)".*/\1/p' "$WORK/pair.out" | head -1)
[[ $CODE =~ ^[A-Z0-9]{8}$ ]] || fail "pairing code '$CODE' is not 8 characters"
# The phone types the code; the server knows of it once it answered the connector's request, which
# may be a moment after the code is shown (a person takes longer than that to type it).
confirm() {
  curl -fsS -X POST "$CONTROL/v1/accounts/$ADDED/pairing-code" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$CODE\"}" >"$WORK/confirm.out" 2>&1
}
wait_for 10 confirm || fail "the simulated phone could not confirm the code $CODE: $(cat "$WORK/confirm.out")"
set +e
wait "$PAIR_PID"
rc=$?
set -e
[[ $rc -eq 0 ]] || fail "sbctl pair exited $rc: $(cat "$WORK/pair.out" "$WORK/pair.err")"
grep -q "\"jid\": *\"$ADDED:[0-9]*@s.whatsapp.net\"" "$WORK/pair.out" || fail "sbctl pair output: $(cat "$WORK/pair.out")"
[[ $(state_of "$ADDED") == connected ]] || fail "state after pairing: $(state_of "$ADDED")"
pass "sbctl pair --phone printed $CODE; the phone confirmed it; linked"

# 3. A restart keeps the runtime account, linked.
restart
connected() { [[ $(state_of "$1") == connected ]]; }
wait_for 30 connected "$ADDED" || fail "after a restart the added account is $(state_of "$ADDED")"
pass "the added account survives a restart and reconnects"

# 3b. A customer writes; the operator switches the bot off and on in that conversation.
phone_send "$CONFIGURED" "$ADDED" "hello, anyone there?"
has_conversation() { "$SBCTL" --json conversations --account "$ADDED" >"$WORK/convs.json" 2>/dev/null &&
  python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["items"]' "$WORK/convs.json" 2>/dev/null; }
wait_for 30 has_conversation || fail "the customer's message made no conversation: $(cat "$WORK/convs.json")"
CONV=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["id"])' "$WORK/convs.json")
"$SBCTL" conversations bot "$CONV" off >"$WORK/bot.out" 2>&1 || fail "bot off: $(cat "$WORK/bot.out")"
grep -q "automatic replies in $CONV are off" "$WORK/bot.out" || fail "bot off: $(cat "$WORK/bot.out")"
"$SBCTL" --json conversations --account "$ADDED" >"$WORK/convs.json"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["items"][0]["bot_paused"] is True' "$WORK/convs.json" ||
  fail "bot_paused after off: $(cat "$WORK/convs.json")"
"$SBCTL" conversations bot "$CONV" on >"$WORK/bot.out" 2>&1 && grep -q "are on" "$WORK/bot.out" ||
  fail "bot on: $(cat "$WORK/bot.out")"
set +e
"$SBCTL" conversations bot "$CONV" maybe >/dev/null 2>&1; rc_usage=$?
"$SBCTL" conversations bot no-such-conversation off >/dev/null 2>&1; rc_missing=$?
set -e
[[ $rc_usage -eq 1 && $rc_missing -eq 5 ]] || fail "bot exit codes: usage $rc_usage (want 1), missing $rc_missing (want 5)"
pass "sbctl conversations bot switches automatic replies off and on in one conversation"

# 4. Logout: the session ends logged_out, a session.logged_out event, credentials gone, the device
# removed on the server.
"$SBCTL" accounts logout "$ADDED" >"$WORK/logout.out" 2>&1 || fail "logout: $(cat "$WORK/logout.out")"
[[ $(state_of "$ADDED") == logged_out ]] || fail "state after logout: $(state_of "$ADDED")"
grep -q "account=$ADDED logged out by an operator" "$SB_LOG" || fail "no logout in the log"
# The server was told (remove-companion-device): the phone no longer lists the device.
curl -fsS "$CONTROL/v1/accounts/$ADDED/devices" >"$WORK/devices.json" || fail "simulator devices"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["devices"]; assert d == [], d' "$WORK/devices.json" ||
  fail "the phone still lists the logged-out device: $(cat "$WORK/devices.json")"
restart
[[ $(state_of "$ADDED") == none ]] || fail "after logout and a restart the account runs: $(state_of "$ADDED")"
pass "logout ended the session; after a restart the account does not come back linked"

# 5. Added again: a new session pairs anew (QR code), the phone scans it.
"$SBCTL" accounts add "$ADDED" >"$WORK/add2.out" 2>&1 || fail "add again: $(cat "$WORK/add2.out")"
wait_for 30 has_qr "$ADDED" || fail "the re-added account showed no QR code (state $(state_of "$ADDED"))"
scan "$ADDED"
wait_for 30 connected "$ADDED" || fail "the re-added account did not link: $(state_of "$ADDED")"
pass "an account added again pairs anew"

stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "daemon exit code $SB_EXIT"
