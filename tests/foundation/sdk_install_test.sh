#!/usr/bin/env bash
# The SDK as a plugin author gets it: `cmake --install` it, build sdk/examples/echo-responder out of
# tree against the installed package, and have the real daemon load the result and call it.
source "$(dirname "$0")/process_lib.sh"

prefix=$WORK/prefix
cmake --install "$SB_BINARY_DIR" --prefix "$prefix" --component sdk >"$WORK/install.log" 2>&1 ||
  fail "cmake --install failed: $(tail -5 "$WORK/install.log")"
[[ -f $prefix/include/switchboard/sdk.hpp ]] || fail "headers not installed"
ls "$prefix"/share/switchboard/proto/switchboard/v1/*.proto >/dev/null 2>&1 || fail "protobuf schema not installed"
config=$(find "$prefix" -name SwitchboardSDKConfig.cmake | head -1)
[[ -n $config ]] || fail "SwitchboardSDKConfig.cmake not installed"
pass "SDK installed: headers, schema, $(basename "$config")"

# Out of tree: a copy of the example, built against the installed SDK only.
cp -r "$SB_SOURCE_DIR/sdk/examples/echo-responder" "$WORK/echo-src"
cmake -S "$WORK/echo-src" -B "$WORK/echo-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="${SB_PLUGIN_CXX_FLAGS:-}" >"$WORK/echo.log" 2>&1 || fail "configure: $(tail -20 "$WORK/echo.log")"
cmake --build "$WORK/echo-build" >>"$WORK/echo.log" 2>&1 || fail "build: $(tail -20 "$WORK/echo.log")"
[[ -f $WORK/echo-build/switchboard-echo.so ]] || fail "no switchboard-echo.so"
pass "example plugin built out of tree"

# The daemon loads it from its own directory beside the loopback test connector, and calls it:
# messages "echo N" from the connector come back as replies the connector "sends".
mkdir -p "$WORK/plugins"
cp "$WORK/echo-build/switchboard-echo.so" "$SB_PLUGIN_DIR/switchboard-loopback.so" "$WORK/plugins/"
base_config "$WORK/cfg.yaml"
cat >>"$WORK/cfg.yaml" <<YAML
plugins:
  - name: lb
    library: loopback
    config: {account: "300", rate: 1, tick: 100ms, text: "echo ping {n}", sent_file: $WORK/sent}
  - name: echo
    library: echo
    config: {trigger: "echo ", reply_prefix: "pong: "}
YAML
"$SB_BIN" --check-config "$WORK/cfg.yaml" --plugin-dir "$WORK/plugins" >/dev/null || fail "config rejected"
start_daemon "$WORK/cfg.yaml" "$WORK/plugins"
wait_for 30 grep -q $'send_text\t.*\tpong: ping' "$WORK/sent" || fail "no echo reply reached the connector"
stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "exit $SB_EXIT"
grep -q "echo responder started" "$SB_LOG" || fail "plugin start not logged"
line=$(grep -m1 $'send_text' "$WORK/sent")
[[ $line == echo:* ]] || fail "reply command id is not derived from the message id: $line"
pass "daemon loaded the out-of-tree plugin and it answered through the pipeline: $line"
