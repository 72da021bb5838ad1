#!/usr/bin/env bash
# `sbctl pair ACCOUNT` in a real terminal (tmux) against the daemon whose WhatsApp connector talks to
# switchboard-wasim: the QR code is drawn on the terminal, the account's simulated phone scans the
# code the connector shows, and sbctl exits 0 saying the account is linked.
# Usage: sbctl_pair_tmux_test.sh SWITCHBOARDD SBCTL WASIM PLUGIN_DIR SOURCE_DIR
SB_BIN=$1 SBCTL=$2 WASIM=$3 SB_PLUGIN_DIR=$4 SRC=$5
SB_TEST_PLUGIN_DIR=$SB_PLUGIN_DIR
source "$SRC/tests/foundation/process_lib.sh"
source "$SRC/tests/console/wa_stack.sh"
export LC_ALL=C.UTF-8  # the art is UTF-8 half blocks; widths are counted in characters
command -v tmux >/dev/null || fail "tmux is not installed (.ci/install-deps --test installs it)"

ACCOUNT=15550003000
SESSION=sbpair$$
export TMUX_TMPDIR=$WORK   # a tmux server of our own, gone with the test
trap 'tmux kill-server 2>/dev/null || true; stop_wasim; cleanup' EXIT

start_wasim "$ACCOUNT:Pair Test"
start_wa_daemon "$ACCOUNT"
wait_for 60 has_qr "$ACCOUNT" || fail "the connector showed no QR code"

tmux -u new-session -d -s "$SESSION" -x 160 -y 70 \
  "SBCTL_URL=$ADMIN_URL SBCTL_TOKEN_FILE=$WORK/admin.token $SBCTL pair $ACCOUNT --wait 90; echo \"sbctl exit code \$?\"; sleep 600"
pane() { tmux capture-pane -p -t "$SESSION" -S -100; }
drawn() { pane | grep -q "Scan with WhatsApp"; }
wait_for 30 drawn || fail "sbctl drew no QR code; the pane shows: $(pane)"

# The art: a square of half-block rows of one width, at least 21 modules (version 1) tall.
pane >"$WORK/pane.txt"
rows=$(grep -c '[█▀▄]' "$WORK/pane.txt" || true)
widths=$(grep '[█▀▄]' "$WORK/pane.txt" | while IFS= read -r line; do echo "${#line}"; done | sort -u | wc -l)
((rows >= 12)) || fail "only $rows rows of QR art: $(cat "$WORK/pane.txt")"
((widths == 1)) || fail "QR art rows differ in width: $(cat "$WORK/pane.txt")"
grep -q '[▀▄]' "$WORK/pane.txt" || fail "no half blocks in the QR art"
pass "sbctl pair draws the QR code in the terminal ($rows rows)"

scan "$ACCOUNT"
finished() { pane | grep -q "sbctl exit code"; }
wait_for 60 finished || fail "sbctl did not finish after the scan; the pane shows: $(pane)"
pane >"$WORK/pane.txt"
grep -q "sbctl exit code 0" "$WORK/pane.txt" || fail "sbctl did not exit 0: $(tail -5 "$WORK/pane.txt")"
grep -q "linked: $ACCOUNT is $ACCOUNT:[0-9]*@s.whatsapp.net" "$WORK/pane.txt" ||
  fail "sbctl did not say it is linked: $(tail -5 "$WORK/pane.txt")"
pass "the simulated phone scanned; sbctl exited 0: $(grep -o "linked: .*" "$WORK/pane.txt")"

stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "daemon exit code $SB_EXIT"
