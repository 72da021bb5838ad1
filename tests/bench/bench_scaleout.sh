#!/bin/sh
# bench_scaleout: accounts per daemon and failover time with 1, 2 and 3 daemons sharing one Kafka
# broker process, one PostgreSQL and the simulator. Each run is tests/cluster/failover.mjs: N
# accounts added through `control` and paired, phones writing throughout, the daemon with the most
# accounts SIGKILLed; the failover time is from the kill until every one of its accounts is run by
# another daemon and connected at the simulator (with one daemon: until its restarted replacement
# has them all connected). Then the killed daemon rejoins: how many accounts moved to it and how
# many stayed connected where they ran. Prints one table row per daemon count.
# Usage: tests/bench/bench_scaleout.sh BUILD_DIR [ACCOUNTS (30)] [STRATEGY (cooperative-sticky)]
set -eu
build=${1:?usage: bench_scaleout.sh BUILD_DIR [ACCOUNTS]}
accounts=${2:-30}
strategy=${3:-cooperative-sticky}  # cluster.assignment_strategy
here=$(cd "$(dirname "$0")/../.." && pwd)
printf '%-8s %-9s %-28s %-12s %-15s %s\n' daemons accounts "accounts per daemon" "failover ms" "accounts moved" \
       "rejoin: moved/stayed"
for n in 1 2 3; do
  line=$(node --experimental-global-webcrypto "$here/tests/cluster/failover.mjs" \
           --sim "$build/connectors/whatsapp/simulator/switchboard-wasim" \
           --kafka "$build/host/kafka/switchboard-kafka-mock" \
           --daemon "$build/host/switchboardd" --plugin-dir "$build/plugins-out" \
           --postgres "$build/tests/cluster/sb-test-postgres" \
           --daemons "$n" --accounts "$accounts" --pause no --strategy "$strategy" | grep '^BENCH ' | sed 's/^BENCH //')
  node -e '
    const r = JSON.parse(process.argv[1]);
    const per = Object.values(r.perDaemon).join("/");
    const rejoin = r.daemons > 1 ? `${r.rejoinMoved}/${r.stayed} (${r.strategy})` : "-";
    console.log(`${String(r.daemons).padEnd(8)} ${String(r.accounts).padEnd(9)} ${per.padEnd(28)} ${String(r.failoverMs).padEnd(12)} ${String(r.moved).padEnd(15)} ${rejoin}`);
  ' "$line"
done
