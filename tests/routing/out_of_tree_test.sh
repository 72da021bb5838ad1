#!/usr/bin/env bash
# The routing plugin as a third-party developer builds it: against the installed SDK package only
# (`cmake --install --component sdk`), out of the source tree. The daemon then loads that build:
# an unknown strategy is refused by --check-config with the key path, a bad time zone stops the
# instance at start with the key path, and a good configuration starts it.
source "$SB_SOURCE_DIR/tests/foundation/process_lib.sh"

prefix=$WORK/prefix
cmake --install "$SB_BINARY_DIR" --prefix "$prefix" --component sdk >"$WORK/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -5 "$WORK/install.log")"
cp -r "$SB_SOURCE_DIR/plugins/routing" "$WORK/routing-src"
cmake -S "$WORK/routing-src" -B "$WORK/routing-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="${SB_PLUGIN_CXX_FLAGS:-}" >"$WORK/build.log" 2>&1 || fail "configure: $(tail -20 "$WORK/build.log")"
cmake --build "$WORK/routing-build" -j2 >>"$WORK/build.log" 2>&1 || fail "build: $(tail -30 "$WORK/build.log")"
[[ -f $WORK/routing-build/switchboard-routing.so ]] || fail "no switchboard-routing.so"
pass "routing plugin built out of tree against the installed SDK"

mkdir -p "$WORK/plugins"
cp "$WORK/routing-build/switchboard-routing.so" "$SB_PLUGIN_DIR/switchboard-loopback.so" "$WORK/plugins/"
config() {  # config FILE ROUTING-CONFIG-LINES
  base_config "$1"
  cat >>"$1" <<YAML
plugins:
  - name: lb
    library: loopback
    config: {account: "400", rate: 0}
  - name: router
    library: routing
    config:
$2
YAML
}

config "$WORK/typo.yaml" "      default: {chain: [{strategy: skills}, {strategy: round-robbin}]}"
set +e
out=$("$SB_BIN" --check-config "$WORK/typo.yaml" --plugin-dir "$WORK/plugins" 2>&1)
code=$?
set -e
[[ $code -eq 2 ]] || fail "--check-config exit $code for an unknown strategy: $out"
[[ $out == *"plugins.router.config.default.chain[1].strategy: unknown value \"round-robbin\" (did you mean \"round_robin\"?)"* ]] ||
  fail "unexpected message: $out"
[[ $out == *"typo.yaml:"* ]] || fail "no file position: $out"
pass "unknown strategy refused by --check-config: $(grep -m1 round-robbin <<<"$out")"

config "$WORK/zone.yaml" "      default_time_zone: Europe/Pariss"
"$SB_BIN" --check-config "$WORK/zone.yaml" --plugin-dir "$WORK/plugins" >/dev/null ||
  fail "a time zone is not the schema's to check"
start_daemon "$WORK/zone.yaml" "$WORK/plugins"
wait_for 20 grep -q 'plugins.router.config.default_time_zone: unknown time zone \\"Europe/Pariss\\"\|plugins.router.config.default_time_zone: unknown time zone "Europe/Pariss"' "$SB_LOG" ||
  fail "bad time zone not reported with its key path"
stop_daemon TERM
pass "bad time zone refused at start with its key path"

config "$WORK/good.yaml" "      default: {chain: [{strategy: shift}, {strategy: least_busy}]}"
"$SB_BIN" --check-config "$WORK/good.yaml" --plugin-dir "$WORK/plugins" >/dev/null || fail "good config rejected"
start_daemon "$WORK/good.yaml" "$WORK/plugins"
wait_for 20 grep -q "routing started" "$SB_LOG" || fail "routing plugin did not start"
stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "daemon exit $SB_EXIT"
pass "daemon loaded the out-of-tree routing plugin"
