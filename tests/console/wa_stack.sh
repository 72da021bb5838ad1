# The daemon with its admin API and the WhatsApp connector pointed at switchboard-wasim, for the
# console and sbctl tests. Sourced after tests/foundation/process_lib.sh; expects WASIM (the
# simulator binary), SB_BIN, SB_TEST_PLUGIN_DIR. Everything on loopback, state under $WORK.

# json_field NAME: the first "NAME":"value" of the JSON on stdin.
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -1; }

# start_wasim PHONE[:NAME]...: starts the simulator with these accounts; sets WASIM_PID, WS_URL,
# ROOT_KEY, CONTROL.
start_wasim() {
  local args=()
  for a in "$@"; do args+=(--account "$a"); done
  : >"$WORK/wasim.log"  # exists before the first poll reads it (the child's redirection comes later)
  "$WASIM" --listen 127.0.0.1:0 --control 127.0.0.1:0 --state-dir "$WORK/wasim" "${args[@]}" \
    </dev/null >"$WORK/wasim.log" 2>&1 &
  WASIM_PID=$!
  wait_for 30 grep -q '"event":"started"' "$WORK/wasim.log" || fail "the simulator did not start: $(cat "$WORK/wasim.log")"
  local started
  started=$(grep -m1 '"event":"started"' "$WORK/wasim.log")
  WS_URL=$(json_field url <<<"$started")
  ROOT_KEY=$(json_field rootKey <<<"$started")
  CONTROL=$(json_field control <<<"$started")
}

# start_wa_daemon ACCOUNT: a config with the admin API and the connector running ACCOUNT; an admin
# token in $WORK/admin.token (ADMIN_TOKEN); the daemon started; ADMIN_URL set.
start_wa_daemon() {
  base_config "$WORK/cfg.yaml"
  cat >>"$WORK/cfg.yaml" <<YAML
admin:
  enabled: true
  port: 0
plugins:
  - name: whatsapp
    library: whatsapp
    config:
      accounts:
        - {id: "$1"}
      server_url: "$WS_URL"
      trusted_root_key: "$ROOT_KEY"
YAML
  ADMIN_TOKEN=$("$SB_BIN" --config "$WORK/cfg.yaml" --plugin-dir "$SB_TEST_PLUGIN_DIR" --create-token test --role admin 2>/dev/null)
  [[ $ADMIN_TOKEN == sbt_* ]] || fail "--create-token printed '$ADMIN_TOKEN'"
  echo "$ADMIN_TOKEN" >"$WORK/admin.token"
  start_daemon "$WORK/cfg.yaml"
  ADMIN_URL=$(sed -n 's/.*admin API listening\. url=\([^ ]*\).*/\1/p' "$SB_LOG" | head -1)
  [[ $ADMIN_URL == http://127.0.0.1:* ]] || fail "no admin URL in the log"
}

# qr_code ACCOUNT: the QR text the connector shows now (empty when none).
qr_code() {
  curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$ADMIN_URL/v1/accounts/$1/qr" 2>/dev/null | json_field code
}
has_qr() { [[ -n $(qr_code "$1") ]]; }

# scan ACCOUNT: the account's simulated phone scans the QR code shown now.
scan() {
  local code
  code=$(qr_code "$1")
  [[ -n $code ]] || fail "no QR code to scan for $1"
  curl -fsS -X POST "$CONTROL/v1/accounts/$1/scan" -H 'Content-Type: application/json' -d "{\"qr\":\"$code\"}" >/dev/null ||
    fail "the simulated phone of $1 could not scan"
}

# phone_send FROM TO TEXT: FROM's simulated phone writes TEXT to TO.
phone_send() {
  curl -fsS -X POST "$CONTROL/v1/accounts/$1/messages" -H 'Content-Type: application/json' \
    -d "{\"to\":\"$2@s.whatsapp.net\",\"text\":\"$3\"}" >/dev/null || fail "$1 could not send"
}

stop_wasim() {
  [[ -n ${WASIM_PID:-} ]] && { kill -TERM "$WASIM_PID" 2>/dev/null; wait "$WASIM_PID" 2>/dev/null || true; }
  WASIM_PID=
}
