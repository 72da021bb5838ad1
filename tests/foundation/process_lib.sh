# Helpers for tests that run the real daemon as a process and send it real signals.
# Sourced by the *_test.sh scripts; expects SB_BIN (switchboardd), SB_TEST_PLUGIN_DIR, SB_PLUGIN_DIR.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; [[ -n ${SB_LOG:-} && -f $SB_LOG ]] && { echo "--- daemon log:" >&2; tail -40 "$SB_LOG" >&2; }; exit 1; }
pass() { echo "PASS: $*"; }

WORK=$(mktemp -d -t sbproc.XXXXXX)
cleanup() {
  [[ -n ${SB_PID:-} ]] && kill -9 "$SB_PID" 2>/dev/null || true
  [[ -n ${SB_KEEP:-} ]] || rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# start_daemon CONFIG: starts switchboardd in the background (SB_PID, SB_LOG) and waits until ready.
start_daemon() {
  SB_LOG=$WORK/daemon.log
  # Emptied here, not only by the child's redirection: that runs after the fork, and until it does a
  # restart's wait would read the previous run's "ready" (and its admin URL) from the old log.
  : >"$SB_LOG"
  "$SB_BIN" --config "$1" --plugin-dir "${2:-$SB_TEST_PLUGIN_DIR}" >"$SB_LOG" 2>&1 &
  SB_PID=$!
  wait_for 60 grep -q "\[daemon\] ready" "$SB_LOG" || fail "daemon did not become ready"
}

# stop_daemon SIGNAL: sends SIGNAL and waits; sets SB_EXIT and SB_STOP_SECONDS.
stop_daemon() {
  local t0 t1
  t0=$(date +%s.%N)
  kill "-$1" "$SB_PID"
  set +e
  wait "$SB_PID"
  SB_EXIT=$?
  set -e
  t1=$(date +%s.%N)
  SB_STOP_SECONDS=$(echo "$t1 - $t0" | bc)
  SB_PID=
}

# base_config FILE: the daemon, storage and Kafka sections every test uses (embedded broker, SQLite).
base_config() {
  cat >"$1" <<YAML
daemon:
  threads: 2
  shutdown_deadline: ${SB_DEADLINE:-10s}
  state_dir: $WORK
storage:
  url: sqlite://$WORK/switchboard.db
kafka:
  embedded: true
  partitions: 1
YAML
}
