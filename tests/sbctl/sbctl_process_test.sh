#!/usr/bin/env bash
# The daemon as a process with the admin API on, driven by sbctl (and curl for what sbctl does not
# do): tokens from --create-token, every command's output and exit code, pairing with a QR drawn in
# the terminal, the live event feed, and a clean SIGTERM.
# Usage: sbctl_process_test.sh SWITCHBOARDD SBCTL FAKE_SESSION_PLUGIN PLUGIN_DIR SOURCE_DIR
SB_BIN=$1 SBCTL=$2 FAKE=$3 SB_PLUGIN_DIR=$4 SRC=$5
SB_TEST_PLUGIN_DIR=$SB_PLUGIN_DIR
source "$SRC/tests/foundation/process_lib.sh"

# expect CODE COMMAND...: runs COMMAND (output in $WORK/out, $WORK/err) and checks its exit code.
expect() {
  local want=$1; shift
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  set -e
  [[ $got -eq $want ]] || fail "$* exited $got, expected $want; stdout: $(head -c 600 "$WORK/out"); stderr: $(head -c 600 "$WORK/err")"
}

base_config "$WORK/cfg.yaml"
cat >>"$WORK/cfg.yaml" <<YAML
admin:
  enabled: true
  port: 0
plugins:
  - name: wa
    library: $FAKE
    config: {link_after_ms: 1500, linked: ["15550001"]}
YAML

ADMIN_TOKEN=$("$SB_BIN" --config "$WORK/cfg.yaml" --create-token ci --role admin 2>"$WORK/token.err")
[[ $ADMIN_TOKEN == sbt_* ]] || fail "--create-token printed '$ADMIN_TOKEN': $(cat "$WORK/token.err")"
grep -q "ci admin \* [0-9a-f]\{64\}" "$WORK/token.err" || fail "--create-token did not print the tokens_file line"
RO_TOKEN=$("$SB_BIN" --config "$WORK/cfg.yaml" --create-token viewer --role read-only 2>/dev/null)
echo "$ADMIN_TOKEN" >"$WORK/admin.token"
echo "$RO_TOKEN" >"$WORK/ro.token"
expect 2 "$SB_BIN" --config "$WORK/cfg.yaml" --create-token ci --role admin
grep -q "exists already" "$WORK/err" || fail "a duplicate token name was not refused"
expect 2 "$SB_BIN" --config "$WORK/cfg.yaml" --create-token x --role root
pass "--create-token stores hashed tokens and refuses duplicates and unknown roles"

start_daemon "$WORK/cfg.yaml"
URL=$(sed -n 's/.*admin API listening\. url=\([^ ]*\).*/\1/p' "$SB_LOG" | head -1)
[[ $URL == http://127.0.0.1:* ]] || fail "no admin URL in the log"
export SBCTL_URL=$URL SBCTL_TOKEN_FILE=$WORK/admin.token

# The API itself, through curl: the document, probes, and an unauthenticated call.
curl -fsS "$URL/v1/openapi.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["openapi"]=="3.0.3"' ||
  fail "openapi.json"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/agents") == 401 ]] || fail "no 401 without a token"
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $RO_TOKEN" "$URL/v1/agents") == 200 ]] ||
  fail "read-only token refused"
pass "the daemon serves the admin API (document, probes, 401)"

expect 0 "$SBCTL" health
grep -q "status: ready" "$WORK/out" || fail "health: $(cat "$WORK/out")"
grep -q "^database  *yes" "$WORK/out" || fail "health table: $(cat "$WORK/out")"
expect 0 "$SBCTL" plugins
grep -q "^wa .* running .*connector,sessions" "$WORK/out" || fail "plugins: $(cat "$WORK/out")"
expect 0 "$SBCTL" accounts
grep -q "^15550001  *connected  *15550001:1@s.whatsapp.net" "$WORK/out" || fail "accounts: $(cat "$WORK/out")"
expect 0 "$SBCTL" --json accounts
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["items"][0]["session"]["state"]=="connected"' "$WORK/out" ||
  fail "accounts --json: $(cat "$WORK/out")"
expect 0 "$SBCTL" agents
grep -q "^AGENT  *NAME  *STATUS" "$WORK/out" || fail "agents header"
pass "health, plugins, accounts (table and JSON), agents"

# The live feed, in the background, while a message is sent.
"$SBCTL" --json tail --types command.,message. >"$WORK/tail.out" 2>"$WORK/tail.err" &
TAIL_PID=$!
wait_for 20 grep -q "tailing\|feed.open" "$WORK/tail.out" "$WORK/tail.err" || fail "tail did not start: $(cat "$WORK/tail.err")"
expect 0 "$SBCTL" send --account 15550001 --to 15557770001 --id order-1 your order shipped
grep -q "accepted: command order-1" "$WORK/out" || fail "send: $(cat "$WORK/out")"
wait_for 20 grep -q '"command.result".*' "$WORK/tail.out" || fail "no command.result on the feed: $(cat "$WORK/tail.out")"
grep -q '"subject":"order-1"' "$WORK/tail.out" || fail "the feed shows another command"
kill -INT "$TAIL_PID"
set +e; wait "$TAIL_PID"; TAIL_EXIT=$?; set -e
[[ $TAIL_EXIT -eq 0 ]] || fail "tail exited $TAIL_EXIT on SIGINT"
expect 0 "$SBCTL" conversations
pass "send goes out; tail shows its result live and exits 0 on Ctrl-C"

# An agent's status.
curl -fsS -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"id":"ann","name":"Ann"}' "$URL/v1/agents" >/dev/null || fail "could not create an agent"
expect 0 "$SBCTL" agents status ann busy
grep -q "agent ann is busy" "$WORK/out" || fail "agents status: $(cat "$WORK/out")"
expect 0 "$SBCTL" agents
grep -q "^ann  *Ann  *busy" "$WORK/out" || fail "agents after status: $(cat "$WORK/out")"
pass "agents status"

# Exit codes scripts rely on.
expect 1 "$SBCTL" send --account 15550001
expect 1 "$SBCTL" frobnicate
expect 1 "$SBCTL" --no-such-option health
expect 3 env SBCTL_TOKEN_FILE= SBCTL_TOKEN= "$SBCTL" agents
expect 3 env SBCTL_TOKEN_FILE= SBCTL_TOKEN=sbt_wrong "$SBCTL" agents
expect 3 "$SBCTL" --token-file "$WORK/ro.token" send --account 15550001 --to 1555 hi
expect 5 "$SBCTL" send --account 19999999 --to 1555 hi
expect 2 "$SBCTL" send --account 15550001 --to 1555 --text a --template b
expect 4 "$SBCTL" --url http://127.0.0.1:1 health
expect 1 "$SBCTL" --token-file "$WORK/missing.token" health
pass "exit codes: 1 usage, 2 API error, 3 auth, 4 unreachable, 5 not found"

# Pairing: the QR is drawn, the fake phone "scans" it 1.5 s later, sbctl exits 0.
expect 0 "$SBCTL" pair 15550009 --wait 30
grep -q "█" "$WORK/out" || fail "no QR drawn: $(head -c 300 "$WORK/out")"
grep -q "linked: 15550009 is 15550009:7@s.whatsapp.net" "$WORK/out" || fail "pair: $(tail -3 "$WORK/out")"
expect 0 "$SBCTL" pair 15550009
grep -q "linked" "$WORK/out" || fail "pairing a linked account should say so"
# A pairing code is printed; nobody types it here, so the wait runs out.
expect 6 "$SBCTL" pair 15550010 --phone 15550010 --wait 2
grep -q "FAKE0010" "$WORK/out" || fail "no pairing code: $(cat "$WORK/out")"
expect 0 "$SBCTL" accounts logout 15550009
expect 0 "$SBCTL" --json accounts
python3 -c '
import json,sys
d={a["id"]: a["session"]["state"] for a in json.load(open(sys.argv[1]))["items"]}
assert d=={"15550001":"connected","15550009":"logged_out","15550010":"pairing"}, d' "$WORK/out" || fail "accounts after pairing: $(cat "$WORK/out")"
pass "pair draws the QR and exits 0 once linked; pairing code; logout"

# Audit: every write by the CLI is recorded.
curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$URL/v1/audit?limit=100" >"$WORK/audit.json"
python3 -c '
import json,sys
acts=[(e["actor"],e["action"]) for e in json.load(open(sys.argv[1]))["items"]]
for want in [("ci","message.send"),("ci","account.create"),("ci","account.logout"),("ci","account.pairing_code")]:
    assert want in acts, (want, acts)' "$WORK/audit.json" || fail "audit log: $(cat "$WORK/audit.json")"
pass "audit log holds the CLI's writes"

stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "exit code $SB_EXIT after SIGTERM"
pass "SIGTERM with the admin API on: exit 0"
