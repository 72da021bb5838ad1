#!/usr/bin/env bash
# CPack builds a .deb whose layout is what an operator expects.
set -euo pipefail
build=$1
out=$(mktemp -d -t sbdeb.XXXXXX)
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { tail -30 "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb | head -1)
[[ -f $deb ]] || { echo "FAIL: no .deb produced"; exit 1; }
dpkg -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$out/files"
expect=(
  /usr/bin/switchboardd
  /usr/bin/sbctl
  /usr/share/bash-completion/completions/sbctl
  /usr/include/switchboard/sdk/session_control.hpp
  /etc/switchboard/switchboard.yaml
  /usr/lib/systemd/system/switchboard.service
  /usr/lib/sysusers.d/switchboard.conf
  /usr/lib/tmpfiles.d/switchboard.conf
  /usr/include/switchboard/sdk.hpp
  /usr/include/switchboard/sdk/plugin.hpp
  /usr/lib/x86_64-linux-gnu/cmake/SwitchboardSDK/SwitchboardSDKConfig.cmake
  /usr/lib/x86_64-linux-gnu/switchboard/plugins/switchboard-echo.so
  /usr/share/doc/switchboard/README.md
)
rc=0
for f in "${expect[@]}"; do
  grep -qx "$f" "$out/files" || { echo "FAIL: $f missing from $(basename "$deb")"; rc=1; }
done
ls "$out"/*.deb >/dev/null
grep -q '^/usr/share/switchboard/proto/switchboard/v1/.*\.proto$' "$out/files" || { echo "FAIL: no protobuf schema"; rc=1; }
dpkg-deb -f "$deb" Package Version Depends
# (Read the whole output first: grep -q closing the pipe early would fail it under pipefail.)
info=$(dpkg-deb -I "$deb")
grep -q conffiles <<<"$info" || { echo "FAIL: no conffiles"; rc=1; }
[[ $(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles 2>/dev/null) == /etc/switchboard/switchboard.yaml ]] ||
  { echo "FAIL: switchboard.yaml is not a conffile"; rc=1; }
((rc == 0)) && echo "PASS: $(basename "$deb") has the expected layout ($(wc -l <"$out/files") entries)"
exit $rc
