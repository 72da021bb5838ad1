#!/usr/bin/env bash
# Real signals to a real daemon: SIGHUP restarts only the plugin whose section changed;
# SIGTERM exits 0 within the deadline, and every message acknowledged to the "network" is stored.
source "$(dirname "$0")/process_lib.sh"

plugins() {  # plugins MARKER_B RATE
  cat <<YAML
plugins:
  - name: a
    library: $SB_PLUGIN_DIR/switchboard-loopback.so
    config: {account: "100", lifecycle_file: $WORK/lifecycle, acked_file: $WORK/acked, rate: $2, tick: 5ms}
  - name: b
    library: $SB_PLUGIN_DIR/switchboard-loopback.so
    config: {account: "200", lifecycle_file: $WORK/lifecycle, marker: "$1"}
YAML
}

# --- SIGHUP
base_config "$WORK/cfg.yaml"
plugins one 0 >>"$WORK/cfg.yaml"
start_daemon "$WORK/cfg.yaml"
[[ $(cat "$WORK/lifecycle") == $'start a\nstart b' ]] || fail "unexpected start sequence: $(cat "$WORK/lifecycle")"
base_config "$WORK/cfg.yaml"
plugins two 0 >>"$WORK/cfg.yaml"
kill -HUP "$SB_PID"
wait_for 20 grep -q "reload done" "$SB_LOG" || fail "no reload"
[[ $(cat "$WORK/lifecycle") == $'start a\nstart b\nstop b\nstart b' ]] ||
  fail "SIGHUP should restart b only, got: $(tr '\n' ' ' <"$WORK/lifecycle")"
grep -q "reload done started=0 restarted=1 stopped=0 unchanged=1 failed=0" "$SB_LOG" || fail "reload report"
pass "SIGHUP restarted only the plugin whose section changed"

# A broken file on SIGHUP keeps the running configuration.
echo "daemon: {threads: nope}" >"$WORK/cfg.yaml"
kill -HUP "$SB_PID"
wait_for 20 grep -q "reload rejected" "$SB_LOG" || fail "bad reload not rejected"
kill -0 "$SB_PID" || fail "daemon died on a bad reload"
pass "a bad file on SIGHUP is rejected and the daemon keeps running"
stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "exit code $SB_EXIT after SIGTERM"

# --- SIGTERM under load
rm -f "$WORK/lifecycle" "$WORK/acked"
SB_DEADLINE=5s base_config "$WORK/cfg.yaml"
plugins one 100 >>"$WORK/cfg.yaml"
start_daemon "$WORK/cfg.yaml"
sleep 3
stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "exit code $SB_EXIT after SIGTERM under load"
# The daemon's own account of its shutdown (signal to the end of main) holds the deadline; the
# wall clock around it also counts process exit (AddressSanitizer's leak scan) on a shared machine.
stopped_ms=$(grep -o "stopped in [0-9]* ms" "$SB_LOG" | tail -1 | grep -o "[0-9]*")
[[ -n $stopped_ms ]] || fail "no 'stopped in' line in the log"
((stopped_ms <= 5500)) || fail "took ${stopped_ms} ms to stop, deadline 5 s"
(($(echo "$SB_STOP_SECONDS < 15" | bc))) || fail "the process took ${SB_STOP_SECONDS}s to exit"
acked=$(sort -u "$WORK/acked" | wc -l)
((acked > 1000)) || fail "only $acked messages acked in 3 s"
sqlite3 "$WORK/switchboard.db" "SELECT network_id FROM messages WHERE account='100'" | sort -u >"$WORK/stored"
missing=$(comm -23 <(sort -u "$WORK/acked") "$WORK/stored" | wc -l)
[[ $missing -eq 0 ]] || fail "$missing acked messages are not in the database"
pass "SIGTERM under load: exit 0, stopped in ${stopped_ms} ms (process gone in ${SB_STOP_SECONDS}s), all $acked acked messages stored"
