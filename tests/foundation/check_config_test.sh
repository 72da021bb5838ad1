#!/usr/bin/env bash
# --check-config: the sample configuration is valid; a misspelled key exits 2 naming file:line:column.
source "$(dirname "$0")/process_lib.sh"

"$SB_BIN" --check-config "$SB_SOURCE_DIR/etc/switchboard.yaml" --plugin-dir "$SB_PLUGIN_DIR" >"$WORK/out" 2>&1 ||
  fail "sample configuration rejected: $(cat "$WORK/out")"
pass "sample configuration is valid"

cat >"$WORK/typo.yaml" <<YAML
daemon:
  threads: 2
kafka:
  embeded: true
YAML
set +e
"$SB_BIN" --check-config "$WORK/typo.yaml" --plugin-dir "$SB_PLUGIN_DIR" >"$WORK/out" 2>&1
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "misspelled key: exit $rc, expected 2"
grep -q "typo.yaml:4:3: kafka.embeded: unknown key (did you mean \"embedded\"?)" "$WORK/out" ||
  fail "message lacks file:line:column and key: $(cat "$WORK/out")"
pass "misspelled key exits 2 with typo.yaml:4:3 and the key"

# The daemon itself (not only --check-config) refuses to start on it, starting nothing.
set +e
"$SB_BIN" --config "$WORK/typo.yaml" --plugin-dir "$SB_PLUGIN_DIR" >"$WORK/out" 2>&1
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "daemon on a bad config: exit $rc, expected 2"
grep -q "nothing was started" "$WORK/out" || fail "no 'nothing was started' in: $(cat "$WORK/out")"
! grep -q "storage ready" "$WORK/out" || fail "storage was opened despite the bad config"
pass "daemon exits 2 on a bad config before opening anything"

# Out-of-range value and a bad plugin setting are reported together.
cat >"$WORK/range.yaml" <<YAML
daemon:
  threads: 0
plugins:
  - name: lb
    library: $SB_PLUGIN_DIR/switchboard-loopback.so
    config:
      account: "1555"
      rate: -3
YAML
set +e
"$SB_BIN" --check-config "$WORK/range.yaml" --plugin-dir "$SB_TEST_PLUGIN_DIR" >"$WORK/out" 2>&1
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "out of range: exit $rc"
grep -q "range.yaml:2:12: daemon.threads: value out of range: must be between 1 and 256" "$WORK/out" || fail "$(cat "$WORK/out")"
grep -q "range.yaml:8:13: plugins.lb.config.rate: value out of range" "$WORK/out" || fail "$(cat "$WORK/out")"
pass "out-of-range values in the host and in a plugin section are both reported"
