#!/usr/bin/env bash
# The real daemon with `tenants:`: SIGHUP after one tenant's section changed restarts only that
# tenant's instance; a tenant set to enabled: false stops all of its instances and nothing else.
source "$SB_SOURCE_DIR/tests/foundation/process_lib.sh"

tenants() {  # tenants ACME_MARKER BETA_ENABLED
  cat <<YAML
tenants:
  acme:
    plugins:
      - name: lb
        library: $SB_PLUGIN_DIR/switchboard-loopback.so
        config: {account: "100", tenant: acme, lifecycle_file: $WORK/lifecycle, marker: "$1"}
  beta:
    enabled: $2
    plugins:
      - name: lb
        library: $SB_PLUGIN_DIR/switchboard-loopback.so
        config: {account: "200", tenant: beta, lifecycle_file: $WORK/lifecycle}
YAML
}

base_config "$WORK/cfg.yaml"
tenants one true >>"$WORK/cfg.yaml"
start_daemon "$WORK/cfg.yaml" "$SB_PLUGIN_DIR"
[[ $(cat "$WORK/lifecycle") == $'start acme.lb\nstart beta.lb' ]] ||
  fail "unexpected start sequence: $(tr '\n' ' ' <"$WORK/lifecycle")"

base_config "$WORK/cfg.yaml"
tenants two true >>"$WORK/cfg.yaml"
kill -HUP "$SB_PID"
wait_for 20 grep -q "reload done" "$SB_LOG" || fail "no reload"
[[ $(cat "$WORK/lifecycle") == $'start acme.lb\nstart beta.lb\nstop acme.lb\nstart acme.lb' ]] ||
  fail "SIGHUP should restart acme.lb only, got: $(tr '\n' ' ' <"$WORK/lifecycle")"
grep -q "reload done started=0 restarted=1 stopped=0 unchanged=1 failed=0" "$SB_LOG" || fail "reload report"
pass "a change in tenant acme's section restarted acme's instance only"

base_config "$WORK/cfg.yaml"
tenants two false >>"$WORK/cfg.yaml"
kill -HUP "$SB_PID"
wait_for 20 bash -c "[[ \$(grep -c 'reload done' '$SB_LOG') -ge 2 ]]" || fail "no second reload"
[[ $(tail -1 "$WORK/lifecycle") == "stop beta.lb" && $(wc -l <"$WORK/lifecycle") -eq 5 ]] ||
  fail "disabling beta should stop beta.lb only, got: $(tr '\n' ' ' <"$WORK/lifecycle")"
pass "tenant beta disabled: its instance stopped, acme's kept running"

stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "exit code $SB_EXIT after SIGTERM"
