#!/usr/bin/env bash
# `sbctl tenants` against the daemon as a process: a tenant created with a quota, suspended (its own
# token refused with tenant_suspended), resumed, deleted only with --yes (exported under
# admin.tenant_export_dir, gone afterwards, its token revoked); the default tenant cannot be deleted.
# Usage: sbctl_tenants_test.sh SWITCHBOARDD SBCTL PLUGIN_DIR SOURCE_DIR
SB_BIN=$1 SBCTL=$2 SB_PLUGIN_DIR=$3 SRC=$4
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
  tenant_export_dir: $WORK/exports
plugins: []
YAML
"$SB_BIN" --config "$WORK/cfg.yaml" --create-token root --role admin 2>/dev/null >"$WORK/root.token"
"$SB_BIN" --config "$WORK/cfg.yaml" --create-token acme-ro --role read-only --tenant acme 2>/dev/null >"$WORK/acme.token"
start_daemon "$WORK/cfg.yaml"
URL=$(sed -n 's/.*admin API listening\. url=\([^ ]*\).*/\1/p' "$SB_LOG" | head -1)
export SBCTL_URL=$URL SBCTL_TOKEN_FILE=$WORK/root.token

expect 0 "$SBCTL" tenants create acme --name "Acme Ltd"
grep -q "tenant acme (Acme Ltd): active" "$WORK/out" || fail "create: $(cat "$WORK/out")"
expect 0 "$SBCTL" tenants quota acme messages_per_day 1000
grep -q "^messages_per_day  *0/1000" "$WORK/out" || fail "quota: $(cat "$WORK/out")"
expect 1 "$SBCTL" tenants quota acme messages_per_day lots
expect 0 "$SBCTL" tenants
grep -q "^acme  *Acme Ltd  *active" "$WORK/out" || fail "list: $(cat "$WORK/out")"
expect 0 "$SBCTL" --token-file "$WORK/acme.token" agents
pass "a tenant is created with a quota, and its own token works"

expect 0 "$SBCTL" tenants suspend acme --reason unpaid
grep -q "suspended" "$WORK/out" || fail "suspend: $(cat "$WORK/out")"
expect 3 "$SBCTL" --token-file "$WORK/acme.token" agents
grep -q "tenant_suspended" "$WORK/err" || fail "suspended tenant's token: $(cat "$WORK/err")"
expect 0 "$SBCTL" tenants resume acme
expect 0 "$SBCTL" --token-file "$WORK/acme.token" agents
pass "a suspended tenant's token is refused with tenant_suspended until it is resumed"

expect 1 "$SBCTL" tenants delete acme
expect 0 "$SBCTL" tenants delete acme --yes
grep -q "tenant acme deleted: exported to $WORK/exports/acme-" "$WORK/out" || fail "delete: $(cat "$WORK/out")"
ls "$WORK"/exports/acme-*/tenants.jsonl >/dev/null || fail "no export of the tenants row"
grep -q '"id":"acme"' "$WORK"/exports/acme-*/tenants.jsonl || fail "export lacks the tenant"
expect 5 "$SBCTL" tenants show acme
expect 3 "$SBCTL" --token-file "$WORK/acme.token" agents
expect 2 "$SBCTL" tenants delete default --yes
grep -q "tenant.protected" "$WORK/err" || fail "default deleted? $(cat "$WORK/err")"
pass "deletion needs --yes, exports, leaves nothing, revokes the tenant's token; default stays"

stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "daemon exit code $SB_EXIT"
pass "clean stop"
