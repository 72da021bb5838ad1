#!/usr/bin/env bash
# The CRM sync inside the real daemon (switchboardd: embedded Kafka, SQLite, the admin API on, the
# plugin loaded from its shared library) against json-server (npm, tests/node): a contact created
# through the admin API reaches json-server; with json-server stopped, an update and a note are
# queued, the daemon is restarted (SIGTERM, then started again) and json-server comes back: both
# arrive. Skips (77) only when node is missing.
# Usage: daemon_json_server_test.sh SWITCHBOARDD PLUGIN_DIR SOURCE_DIR NODE_DIR
SB_BIN=$1 SB_PLUGIN_DIR=$2 SRC=$3 NODE_DIR=$4
SB_TEST_PLUGIN_DIR=$SB_PLUGIN_DIR
NODE=$(command -v node || true)
if [[ -z $NODE ]]; then
  echo "SKIP: node is not installed; the CRM daemon test against json-server needs it (Node 18 or later)"
  exit 77
fi
source "$SRC/tests/foundation/process_lib.sh"
CLI=$NODE_DIR/node_modules/json-server/lib/cli/bin.js
[[ -f $CLI ]] || fail "$CLI is missing; run 'npm ci' in $NODE_DIR"

CRM_PID=
trap '[[ -n $CRM_PID ]] && kill "$CRM_PID" 2>/dev/null; cleanup' EXIT
PORT=$("$NODE" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
CRM=http://127.0.0.1:$PORT
echo '{"contacts": [], "notes": [], "activities": []}' >"$WORK/crm.json"
start_crm() {
  "$NODE" "$CLI" --host 127.0.0.1 --port "$PORT" "$WORK/crm.json" >>"$WORK/crm.log" 2>&1 &
  CRM_PID=$!
  wait_for 30 curl -sf -o /dev/null "$CRM/db" || fail "json-server did not start: $(tail -5 "$WORK/crm.log")"
}
stop_crm() {
  kill "$CRM_PID"
  wait "$CRM_PID" 2>/dev/null || true
  CRM_PID=
}
# crm_has PATH TEXT: json-server's answer to GET PATH contains TEXT.
crm_has() { curl -sf "$CRM$1" | tr -d '\n ' | grep -qF "$2"; }

base_config "$WORK/cfg.yaml"
cat >>"$WORK/cfg.yaml" <<YAML
admin:
  enabled: true
  port: 0
plugins:
  - name: crm
    library: switchboard-crm
    config:
      base_url: $CRM
      timeout: 3s
      retry: {max_attempts: 100, initial_backoff: 100ms, max_backoff: 500ms}
      rest: {contact_method: PUT, contact_path: "/contacts/{key}", key_field: id,
             create_method: POST, create_path: /contacts}
YAML
TOKEN=$("$SB_BIN" --config "$WORK/cfg.yaml" --create-token ops --role operator 2>"$WORK/token.err")
[[ $TOKEN == sbt_* ]] || fail "--create-token printed '$TOKEN': $(cat "$WORK/token.err")"
api() {  # api METHOD PATH [BODY]
  curl -sf -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"} "$URL$2"
}

start_crm
start_daemon "$WORK/cfg.yaml" "$SB_PLUGIN_DIR"
URL=$(sed -n 's/.*admin API listening\. url=\([^ ]*\).*/\1/p' "$SB_LOG" | head -1)
[[ $URL == http://127.0.0.1:* ]] || fail "no admin URL in the log"

ID=$(api POST /v1/contacts '{"phone": "15557770001", "name": "Ada", "tags": ["lead"]}' |
  sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
[[ -n $ID ]] || fail "the admin API created no contact"
wait_for 20 crm_has /contacts/15557770001 '"name":"Ada"' || fail "the new contact did not reach json-server"
pass "a contact created through the admin API reached json-server (contact.created -> PUT 404 -> POST)"

stop_crm
api PUT "/v1/contacts/$ID" '{"name": "Ada King", "tags": ["lead", "vip"]}' >/dev/null || fail "update refused"
api POST "/v1/contacts/$ID/notes" '{"text": "Call back on Monday"}' >/dev/null || fail "note refused"
wait_for 20 grep -q "CRM delivery .* failed" "$SB_LOG" || fail "no failed delivery logged while json-server was down"
stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "the daemon exited $SB_EXIT on SIGTERM"
start_crm
crm_has /contacts/15557770001 '"name":"Ada"' || fail "json-server lost its data"
crm_has /notes '[]' || fail "a note arrived before the restart"
start_daemon "$WORK/cfg.yaml" "$SB_PLUGIN_DIR"
wait_for 30 crm_has /contacts/15557770001 '"name":"AdaKing"' || fail "the queued update was not delivered after the restart"
crm_has /contacts/15557770001 '"tags":["lead","vip"]' || fail "the tags were not delivered"
wait_for 20 crm_has "/contacts/15557770001/notes" '"text":"CallbackonMonday"' || fail "the queued note was not delivered"
pass "an update and a note queued while json-server was down were delivered after the daemon restarted"
stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "the daemon exited $SB_EXIT on SIGTERM"
