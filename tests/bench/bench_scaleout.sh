#!/bin/sh
# bench_scaleout: accounts per daemon and failover time with 1, 2 and 3 daemons sharing one Kafka
# broker process, one PostgreSQL and the simulator. Each run is tests/cluster/failover.mjs: N
# accounts added through `control` and paired, phones writing throughout, the daemon with the most
# accounts SIGKILLed; the failover time is from the kill until every one of its accounts is run by
# another daemon and connected at the simulator (with one daemon: until its restarted replacement
# has them all connected). Prints one table row per daemon count.
# Usage: tests/bench/bench_scaleout.sh BUILD_DIR [ACCOUNTS (30)]
set -eu
build=${1:?usage: bench_scaleout.sh BUILD_DIR [ACCOUNTS]}
accounts=${2:-30}
here=$(cd "$(dirname "$0")/../.." && pwd)
printf '%-8s %-9s %-28s %-12s %s\n' daemons accounts "accounts per daemon" "failover ms" "accounts moved"
for n in 1 2 3; do
  line=$(node --experimental-global-webcrypto "$here/tests/cluster/failover.mjs" \
           --sim "$build/connectors/whatsapp/simulator/switchboard-wasim" \
           --kafka "$build/host/kafka/switchboard-kafka-mock" \
           --daemon "$build/host/switchboardd" --plugin-dir "$build/plugins-out" \
           --postgres "$build/tests/cluster/sb-test-postgres" \
           --daemons "$n" --accounts "$accounts" --pause no | grep '^BENCH ' | sed 's/^BENCH //')
  node -e '
    const r = JSON.parse(process.argv[1]);
    const per = Object.values(r.perDaemon).join("/");
    console.log(`${String(r.daemons).padEnd(8)} ${String(r.accounts).padEnd(9)} ${per.padEnd(28)} ${String(r.failoverMs).padEnd(12)} ${r.moved}`);
  ' "$line"
done
