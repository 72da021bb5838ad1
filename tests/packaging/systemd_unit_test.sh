#!/usr/bin/env bash
# The unit verifies cleanly and its sandboxing keeps the exposure score the README quotes.
set -euo pipefail
src=$1 bin=$2
work=$(mktemp -d -t sbunit.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Verify against the binary this build made (the unit names /usr/bin/switchboardd).
sed "s#/usr/bin/switchboardd#$bin#g" "$src/systemd/switchboard.service" >"$work/switchboard.service"
if ! out=$(systemd-analyze verify --man=no "$work/switchboard.service" 2>&1); then
  echo "FAIL: systemd-analyze verify: $out"; exit 1
fi
[[ -z $out ]] || { echo "FAIL: systemd-analyze verify is not clean: $out"; exit 1; }
echo "PASS: systemd-analyze verify is clean"
score=$(systemd-analyze security --offline=true "$work/switchboard.service" 2>/dev/null |
  sed -n 's/.*Overall exposure level for switchboard.service: \([0-9.]*\).*/\1/p')
[[ -n $score ]] || { echo "FAIL: no exposure score"; exit 1; }
readme=$(tr '\n' ' ' <"$src/README.md")
grep -q "exposure score: *\*\*$score OK\*\*" <<<"$readme" || { echo "FAIL: README does not quote the score $score"; exit 1; }
(($(echo "$score <= 1.5" | bc))) || { echo "FAIL: exposure $score above 1.5"; exit 1; }
echo "PASS: exposure score $score, as the README says"
