#!/usr/bin/env bash
# The web console in headless Chromium (Debian's chromium and chromium-driver), driven over
# WebDriver by console_webdriver.mjs, against a daemon whose WhatsApp connector is linked through
# the console's QR code to switchboard-wasim. Screenshots are kept in SCREENSHOT_DIR.
# Usage: console_browser_test.sh SWITCHBOARDD WASIM PLUGIN_DIR SOURCE_DIR SCREENSHOT_DIR
SB_BIN=$1 WASIM=$2 SB_PLUGIN_DIR=$3 SRC=$4 SHOTS=$5
SB_TEST_PLUGIN_DIR=$SB_PLUGIN_DIR
source "$SRC/tests/foundation/process_lib.sh"
source "$SRC/tests/console/wa_stack.sh"
trap 'stop_wasim; cleanup' EXIT

CHROMIUM=$(command -v chromium || true)
CHROMEDRIVER=$(command -v chromedriver || true)
[[ -n $CHROMIUM && -n $CHROMEDRIVER ]] || fail "chromium and chromium-driver are not installed (.ci/install-deps --test)"
mkdir -p "$SHOTS"

ACCOUNT=15550004000 CUSTOMER=15550004001
start_wasim "$ACCOUNT:Console Test" "$CUSTOMER:Customer"
start_wa_daemon "$ACCOUNT"
wait_for 60 has_qr "$ACCOUNT" || fail "the connector showed no QR code"

ADMIN_URL=$ADMIN_URL ADMIN_TOKEN=$ADMIN_TOKEN CONTROL=$CONTROL ACCOUNT=$ACCOUNT CUSTOMER=$CUSTOMER \
  SCREENSHOT_DIR=$SHOTS CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER PROFILE_DIR=$WORK/profile \
  timeout 240 node "$SRC/tests/console/console_webdriver.mjs" || fail "the browser test failed"

stop_daemon TERM
[[ $SB_EXIT -eq 0 ]] || fail "daemon exit code $SB_EXIT"
pass "the console in headless Chromium: token, QR, connected, live message (screenshots in $SHOTS)"
