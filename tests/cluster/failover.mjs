// Scale-out failover: three daemons share one Kafka broker (switchboard-kafka-mock, a process of
// its own on loopback), one PostgreSQL (sb-test-postgres) and the simulator. Thirty accounts are
// added through `control` records and paired; the checks use only what the outside sees:
//  1. each account runs on exactly one daemon (their metrics) and is connected once (simulator);
//  2. SIGKILL the daemon with the most accounts while phones keep writing: its accounts are
//     connected elsewhere within 30 s, and every message sent reaches `inbound` (none lost);
//  2b. outbound commands (keyed by recipient, so consumed by any daemon) are each sent once, by
//     the daemon that runs their account, with the results one daemon gives (accepted, sent);
//  2c. the killed daemon starts again: the rebalance moves accounts without connecting any twice,
//      and (cooperative assignor) those that stay on their daemon are not reconnected;
//  2d. `move` of one account to a chosen daemon: it runs there only, never twice, nothing lost;
//  3. SIGSTOP a survivor past the group's session timeout, then SIGCONT: the daemon left running
//     took its accounts over; the paused one gives them up, its stale writes are refused (at least
//     one: phones wrote to its accounts while it was stopped), logged and counted, and nothing sent
//     in the meantime is lost or altered;
//  5. every record reaches Kafka once (each outbox row is produced by the holder of its account's
//     partition), except one Kafka acknowledged just before its daemon was killed or stopped;
//  4. the simulator recorded no login that found the same device connected elsewhere, except the
//     connections of the paused daemon, which a paused process cannot close.
// Usage: node --experimental-global-webcrypto failover.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir>
//          --postgres <sb-test-postgres> [--accounts 30] [--daemons 3] [--rate 30] [--pause yes|no]
//          [--strategy cooperative-sticky|roundrobin|range]
// With one daemon, the SIGKILLed daemon is replaced by a new one (as systemd would restart it);
// the pause step needs two daemons left after the kill. The last line, `BENCH {...}`, is for
// tests/bench/bench_scaleout.sh.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { args, fail, sleep, until, startSimulator } from '../node/wasim/lib.mjs';
import { startDaemon, startKafkaClient, tempDir } from '../node/e2e/lib.mjs';

const require = createRequire(new URL('../node/e2e/lib.mjs', import.meta.url));
setTimeout(() => fail('timed out'), 225000).unref();
const accountCount = Number(args.accounts ?? 30);
const daemonCount = Number(args.daemons ?? 3);
const rate = Number(args.rate ?? 30);  // inbound messages per second, all accounts together
const pauseStep = (args.pause ?? 'yes') !== 'no';
const strategy = args.strategy ?? 'cooperative-sticky';  // cluster.assignment_strategy
const partitions = 6;
const failoverLimitMs = 30000;
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const children = new Set();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

// A process that prints one line (an address) when ready.
async function startLineProcess(binary, argv, what) {
  const proc = spawn(binary, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(proc);
  proc.on('exit', (code, signal) => {
    if (!proc.stopping) fail(`${what} exited unexpectedly (${code ?? signal})`);
  });
  const line = await new Promise((resolve) => createInterface({ input: proc.stdout }).once('line', (l) => resolve(l.trim())));
  return { proc, line, stop() { proc.stopping = true; proc.stdin.end(); proc.kill('SIGTERM'); return new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r))); } };
}

const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const dir = tempDir();
const pg = await startLineProcess(args.postgres, ['switchboard'], 'PostgreSQL');
const kafkaMock = await startLineProcess(args.kafka, ['--partitions', String(partitions)], 'the Kafka broker');
const bootstrap = kafkaMock.line;
const sim = await startSimulator(args.sim);
const accounts = Array.from({ length: accountCount }, (_, i) => `1555700${String(1000 + i)}`);
const phones = Array.from({ length: 10 }, (_, i) => `1555800${String(1000 + i)}`);
for (const p of [...accounts, ...phones]) await sim.must('create_account', { phone: p, name: `Sim ${p}` });
console.log(`${stamp()} PostgreSQL ${pg.line.replace(/\/\/[^@]*@/, '//')}, Kafka ${bootstrap}, simulator ${sim.info.url}`);

function writeConfig(name, port) {
  const stateDir = path.join(dir, name);
  fs.mkdirSync(stateDir, { recursive: true });
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, `daemon:
  threads: 2
  shutdown_deadline: 10s
  state_dir: ${stateDir}
  instance_id: ${name}
storage:
  url: ${pg.line}
  key_file: ${dir}/storage.key
kafka:
  embedded: false
  brokers: ["${bootstrap}"]
  partitions: ${partitions}
  create_topics: false
  poll_interval: 50ms
  session_timeout: 6s
  heartbeat_interval: 1s
  max_poll_interval: 10s
admin:
  enabled: true
  port: ${port}
  public_metrics: true
cluster:
  enabled: true
  session_timeout: 6s
  heartbeat_interval: 1s
  max_poll_interval: 10s
  release_deadline: 5s
  assignment_strategy: ${strategy}
plugins:
  - name: whatsapp
    library: whatsapp
    config:
      server_url: ${sim.info.url}
      trusted_root_key: ${sim.info.rootKey}
      reconnect: {initial: 100ms, max: 1s}
      pacing: {per_second: 100, burst: 100}
      iq_timeout: 15s
      accounts: []
`);
  return file;
}

const daemons = [];
for (let i = 0; i < daemonCount; i++) {
  const name = `daemon-${String.fromCharCode(97 + i)}`;
  const port = await freePort();
  const config = writeConfig(name, port);
  // One after the other: the first creates the schema and the shared key file.
  const d = await startDaemon(args.daemon, { config, pluginDir: args['plugin-dir'], dir, label: name });
  daemons.push({ name, port, config, d, alive: true });
}

async function metricsOf(daemon) {
  try {
    const r = await fetch(`http://127.0.0.1:${daemon.port}/v1/metrics`, { signal: AbortSignal.timeout(2000) });
    return await r.text();
  } catch {
    return null;
  }
}
const metric = (text, name) => Number((text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm')) ?? [])[1] ?? NaN);
// account -> [daemon names that say they run it]
async function owners(list = daemons.filter((x) => x.alive && !x.stopped)) {
  const out = new Map(accounts.map((a) => [a, []]));
  for (const daemon of list) {
    const text = await metricsOf(daemon);
    if (text === null) continue;
    for (const m of text.matchAll(/^switchboard_cluster_account_owned\{([^}]*)\} ([0-9.]+)$/gm)) {
      const account = (m[1].match(/account="([^"]+)"/) ?? [])[1];
      if (Number(m[2]) === 1 && out.has(account)) out.get(account).push(daemon.name);
    }
  }
  return out;
}

await until('the group to hand out every partition', async () => {
  let held = 0;
  for (const daemon of daemons) {
    const text = await metricsOf(daemon);
    const n = text === null ? 0 : metric(text, 'switchboard_cluster_partitions_held');
    if (!(n > 0)) return false;
    held += n;
  }
  return held === partitions;
}, 60000, 250);
console.log(`${stamp()} ${daemonCount} daemons joined the group; ${partitions} partitions shared`);

// Accounts are added through `control`, keyed by account id (Kafka's default partitioner puts
// each on its owner's partition).
const kafka = await startKafkaClient(bootstrap);
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const controlProducer = new Kafka({ clientId: 'cluster-test', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  .producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
await controlProducer.connect();
await controlProducer.send({
  topic: 'switchboard.control',
  acks: -1,
  messages: accounts.map((a) => ({ key: a, value: JSON.stringify({ action: 'add', account: a, name: `Account ${a}` }),
                                    headers: { 'content-type': 'application/json' } })),
});

// Pair every account through the QR code its owner publishes on `events`.
const connectedOnce = new Set();
const scanned = new Set();
await until('every account paired and connected', async () => {
  for (const e of kafka.events('session.qr')) {
    if (scanned.has(e.account) || !accounts.includes(e.account) || !e.attributes?.qr) continue;
    scanned.add(e.account);
    const r = await sim.command('scan', { phone: e.account, qr: e.attributes.qr });
    if (!r.ok) scanned.delete(e.account);
  }
  for (const e of kafka.events('session.state')) if (e.attributes?.state === 'connected') connectedOnce.add(e.account);
  return accounts.every((a) => connectedOnce.has(a));
}, 90000, 200);
console.log(`${stamp()} ${accountCount} accounts paired`);

const online = async (account) => {
  const r = await sim.command('devices', { phone: account });
  return r.ok ? r.devices.filter((d) => d.online).length : -1;
};
let own = await owners();
const check1 = await until('each account run by exactly one daemon and online once', async () => {
  own = await owners();
  for (const a of accounts) if (own.get(a).length !== 1 || (await online(a)) !== 1) return false;
  return true;
}, 30000, 250);
const perDaemon = Object.fromEntries(daemons.map((x) => [x.name, accounts.filter((a) => own.get(a)[0] === x.name).length]));
console.log(`${stamp()} accounts per daemon: ${JSON.stringify(perDaemon)} (${check1 ? 'each connected once' : ''})`);

// 1b. Refused control records go to `dlq` with the reason and the record's place, once each: one
// that is no command, and an add over the tenant's accounts quota (which never runs anywhere).
const dlq = [];
const dlqConsumer = new Kafka({ clientId: 'cluster-test-dlq', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  .consumer({ groupId: `failover-dlq-${process.pid}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
await dlqConsumer.connect();
await dlqConsumer.subscribe({ topic: 'switchboard.dlq', fromBeginning: true });
await dlqConsumer.run({
  eachMessage: async ({ message }) => {
    const h = (name) => message.headers?.[name]?.toString();
    dlq.push({ value: message.value.toString(), code: h('sb-dlq-code'), reason: h('sb-dlq-reason'),
               topic: h('sb-dlq-topic'), offset: h('sb-dlq-offset') });
  },
});
const quota = (limit, id) => controlProducer.send({
  topic: 'switchboard.control',
  acks: -1,
  messages: [{ key: 'default', value: JSON.stringify({ action: 'tenant.quotas', tenant: 'default', quotas: { accounts: limit },
                                                        request_id: id }) }],
});
const resultOf = (id) => kafka.seen.results.map((r) => r.body).find((r) => r.commandId === id);
const capId = `failover-cap-${process.pid}`;
await quota(accountCount, capId);
await until('the accounts quota to be set', () => resultOf(capId)?.stage === 'RESULT_STAGE_SENT', 30000, 100);
const extra = String(BigInt(accounts[accountCount - 1]) + 1000n);
const refused = [
  { key: accounts[0], value: JSON.stringify({ action: 'adopt', account: accounts[0] }), code: 'cluster.bad_command' },
  { key: extra, value: JSON.stringify({ action: 'add', account: extra, name: 'Over the quota' }), code: 'quota_exceeded' },
];
await controlProducer.send({ topic: 'switchboard.control', acks: -1,
                             messages: refused.map(({ key, value }) => ({ key, value })) });
await until('both refused control records on dlq', () => refused.every((r) => dlq.some((d) => d.value === r.value)),
            30000, 100);
await sleep(1500);  // a second copy, or the refused account running somewhere, would show by now
for (const r of refused) {
  const copies = dlq.filter((d) => d.value === r.value);
  if (copies.length !== 1) fail(`${copies.length} dlq records for ${r.value}`);
  const d = copies[0];
  if (d.code !== r.code || d.topic !== 'switchboard.control' || !(Number(d.offset) >= 0) || !d.reason) {
    fail(`dlq record for ${r.value}: ${JSON.stringify(d)}`);
  }
}
for (const daemon of daemons) {
  const text = (await metricsOf(daemon)) ?? '';
  if (text.includes(`account="${extra}"`)) fail(`${daemon.name} shows the refused account ${extra}`);
}
const uncapId = `failover-uncap-${process.pid}`;
await quota(null, uncapId);
await until('the accounts quota to be lifted', () => resultOf(uncapId)?.stage === 'RESULT_STAGE_SENT', 30000, 100);
await dlqConsumer.disconnect();
console.log(`${stamp()} refused control records dead-lettered once each: ${refused.map((r) => r.code).join(', ')}`);

// Phones write to the accounts at a steady rate from here to the end.
const sent = [];
let streaming = true;
const stream = (async () => {
  for (let i = 0; streaming; i++) {
    const account = accounts[i % accountCount];
    const phone = phones[i % phones.length];
    const text = `failover message ${i} from ${phone} to ${account}`;
    const r = await sim.command('send', { phone, to: `${account}@s.whatsapp.net`, text });
    if (!r.ok) fail(`phone send ${i}: ${JSON.stringify(r.error)}`);
    sent.push({ id: r.messageId, text, account });
    await sleep(1000 / rate);
  }
})();
await sleep(3000);

// 2. SIGKILL the daemon with the most accounts.
const victim = daemons.reduce((best, x) => (perDaemon[x.name] > perDaemon[best.name] ? x : best));
const moved = accounts.filter((a) => own.get(a)[0] === victim.name);
const killAt = Date.now();
const interruptions = [killAt];  // moments a daemon died or stopped (see the duplicate check)
victim.alive = false;
await victim.d.kill('SIGKILL');
if (!daemons.some((x) => x.alive)) {
  // Alone: its replacement starts on the same configuration.
  const d = await startDaemon(args.daemon, { config: victim.config, pluginDir: args['plugin-dir'], dir,
                                             label: `${victim.name}-restarted` });
  daemons.push({ ...victim, name: `${victim.name}`, d, alive: true });
}
await until(`${victim.name}'s accounts running and connected elsewhere`, async () => {
  own = await owners();
  for (const a of moved) if (own.get(a).length !== 1 || (await online(a)) !== 1) return false;
  return true;
}, 60000, 200);
const failoverMs = Date.now() - killAt;
console.log(`${stamp()} SIGKILL ${victim.name} (${moved.length} accounts): all connected elsewhere after ${failoverMs} ms`);
if (failoverMs > failoverLimitMs) fail(`failover took ${failoverMs} ms, more than ${failoverLimitMs}`);
await sleep(3000);
const overlapsBeforePause = (await sim.must('overlaps')).overlaps;
if (overlapsBeforePause.length) fail(`an account was connected twice at once: ${JSON.stringify(overlapsBeforePause.slice(0, 3))}`);

// 2b. Outbound: commands keyed by recipient reach whichever daemon consumes their `outbound`
// partition; each is sent once, by the daemon that runs its account, and its results are those of
// one daemon (accepted, then sent).
const run = `failover-${process.pid}`;
const outbound = accounts.slice(0, 12).map((a, i) => ({ id: `${run}-${i}`, account: a, to: phones[i % phones.length],
                                                         text: `outbound ${i} from ${a}` }));
for (const o of outbound) await kafka.command({ commandId: o.id, account: o.account, sendText: { to: o.to, text: o.text } });
// Both results of a command belong to its account, so the account's owner produces them, in the
// order they were written.
const stagesOf = (id) => kafka.seen.results.filter((r) => r.body.commandId === id).map((r) => r.body.stage);
await until('every outbound command sent by its account\'s owner', () =>
  outbound.every((o) => stagesOf(o.id).includes('RESULT_STAGE_SENT') && stagesOf(o.id).includes('RESULT_STAGE_ACCEPTED')),
  60000, 250);
await sleep(1000);  // a copy, if any, would follow within the relay's next reads
for (const o of outbound) {
  const st = stagesOf(o.id);
  // One accepted (written by the daemon that consumed it) and one sent (written by the owner),
  // each once. Two daemons write them in transactions of their own, so `sent` may commit, and
  // reach `results`, before `accepted`.
  const once = (stage) => st.filter((x) => x === stage).length === 1;
  if (st.includes('RESULT_STAGE_FAILED') || !once('RESULT_STAGE_SENT') || !once('RESULT_STAGE_ACCEPTED')) {
    fail(`command ${o.id} for ${o.account}: results ${JSON.stringify(st)}`);
  }
}
await until('the phones to decrypt the outbound texts', async () => {
  for (const o of outbound) {
    const inbox = (await sim.must('inbox', { phone: o.to })).messages;
    if (!inbox.some((m) => m.text === o.text && m.from.startsWith(o.account))) return false;
  }
  return true;
}, 30000, 500);
console.log(`${stamp()} ${outbound.length} outbound commands sent by their accounts' owners, each once`);

// 2c. The killed daemon comes back: the group rebalances, the partitions that move are released
// before they are handed out again, and no account is connected twice meanwhile. With the
// cooperative assignor (the default) only those move: an account that stays on its daemon is
// neither disconnected nor logged in again (the simulator counts its logins).
let stayed = 0;
let rejoinMoved = 0;
if (daemons.filter((x) => x.alive).length < daemonCount) {
  const ownersBefore = await owners();
  const loginsBefore = (await sim.must('overlaps')).logins;
  const back = await startDaemon(args.daemon, { config: victim.config, pluginDir: args['plugin-dir'], dir,
                                                label: `${victim.name}-back` });
  const rejoined = { ...victim, d: back, alive: true };
  daemons.splice(daemons.indexOf(victim), 1, rejoined);
  const joinAt = Date.now();
  await until(`${victim.name} to rejoin and take accounts`, async () => {
    const text = await metricsOf(rejoined);
    if (!(text !== null && metric(text, 'switchboard_cluster_partitions_held') > 0)) return false;
    own = await owners();
    for (const a of accounts) if (own.get(a).length !== 1 || (await online(a)) !== 1) return false;
    return true;
  }, 60000, 250);
  const rejoinOverlaps = (await sim.must('overlaps')).overlaps;
  if (rejoinOverlaps.length) fail(`connected twice at once during the rebalance: ${JSON.stringify(rejoinOverlaps.slice(0, 3))}`);
  const rejoinMs = Date.now() - joinAt;
  await sleep(1500);  // a needless reconnection, if any, would have logged in by now
  own = await owners();
  const loginsAfter = (await sim.must('overlaps')).logins;
  const reconnected = [];
  for (const a of accounts) {
    const before = ownersBefore.get(a);
    if (before.length !== 1) fail(`account ${a} was run by ${JSON.stringify(before)} before the rejoin`);
    if (own.get(a)[0] !== before[0]) { rejoinMoved++; continue; }
    stayed++;
    if ((loginsAfter[a] ?? 0) !== (loginsBefore[a] ?? 0)) reconnected.push({ a, on: before[0], before: loginsBefore[a], after: loginsAfter[a] });
  }
  if (strategy === 'cooperative-sticky') {
    if (reconnected.length) fail(`the rejoin reconnected ${reconnected.length} accounts that stayed on their daemon: ${JSON.stringify(reconnected.slice(0, 3))}`);
    // The newcomer took its share from the others, and the others kept theirs.
    if (!accounts.some((a) => own.get(a)[0] === victim.name)) fail(`${victim.name} rejoined but runs no account`);
    if (stayed === 0) fail('every account changed daemon at the rejoin');
  }
  const counts = daemons.map((x) => accounts.filter((a) => own.get(a)[0] === x.name).length);
  console.log(`${stamp()} ${victim.name} back: rebalanced in ${rejoinMs} ms, accounts per daemon ${counts.join('/')}; ` +
              `${rejoinMoved} accounts moved, ${stayed} stayed, ${reconnected.length} of those reconnected (${strategy})`);
}

// 2d. An operator moves one account to a chosen daemon (`move` on control): the current owner
// pins it to a partition the target holds, releases it and hands it on; it then runs on the
// target only, was never connected twice, and a message sent to it right after arrives.
const aliveNow = daemons.filter((x) => x.alive);
let moveMs = 0;
let movedAccount = '-';
let moveTarget = { name: '-' };
if (aliveNow.length >= 2) {
  own = await owners();
  const source = aliveNow.find((x) => accounts.some((a) => own.get(a)[0] === x.name));
  moveTarget = aliveNow.find((x) => x !== source);
  movedAccount = accounts.find((a) => own.get(a)[0] === source.name);
  const moveAt = Date.now();
  await controlProducer.send({
    topic: 'switchboard.control',
    acks: -1,
    messages: [{ key: movedAccount, value: JSON.stringify({ action: 'move', account: movedAccount, to: moveTarget.name }),
                 headers: { 'content-type': 'application/json' } }],
  });
  await until(`${movedAccount} to run on ${moveTarget.name}`, async () => {
    own = await owners();
    return own.get(movedAccount).length === 1 && own.get(movedAccount)[0] === moveTarget.name &&
      (await online(movedAccount)) === 1;
  }, 30000, 200);
  moveMs = Date.now() - moveAt;
  const moveOverlaps = (await sim.must('overlaps')).overlaps;
  if (moveOverlaps.length) fail(`connected twice at once during the move: ${JSON.stringify(moveOverlaps.slice(0, 3))}`);
  const text = `after the move to ${moveTarget.name}`;
  const r = await sim.command('send', { phone: phones[0], to: `${movedAccount}@s.whatsapp.net`, text });
  if (!r.ok) fail(`send after the move: ${JSON.stringify(r.error)}`);
  sent.push({ id: r.messageId, text, account: movedAccount });
  await until('the message sent after the move on inbound', () =>
    kafka.seen.inbound.some((m) => m.body.networkId === r.messageId), 30000, 200);
  // It stays there: the other daemons' view agrees (exactly one owner, the target).
  await sleep(2000);
  own = await owners();
  if (JSON.stringify(own.get(movedAccount)) !== JSON.stringify([moveTarget.name])) {
    fail(`${movedAccount} moved back: run by ${JSON.stringify(own.get(movedAccount))}`);
  }
  console.log(`${stamp()} move ${movedAccount} ${source.name} -> ${moveTarget.name}: running there after ${moveMs} ms`);
}

// 3. SIGSTOP a survivor long enough for the group to drop it, then SIGCONT.
const survivors = daemons.filter((x) => x.alive);
let pausedAccounts = [];
let takeoverMs = 0;
let fenced = 0;
let paused = { name: '-' };
if (pauseStep && survivors.length >= 2) {
  own = await owners();
  paused = survivors.reduce((best, x) => (accounts.filter((a) => own.get(a)[0] === x.name).length >
                                                accounts.filter((a) => own.get(a)[0] === best.name).length ? x : best));
  pausedAccounts = accounts.filter((a) => own.get(a)[0] === paused.name);
  const others = survivors.filter((x) => x !== paused);
  paused.d.proc.kill('SIGSTOP');
  paused.stopped = true;
  const pauseAt = Date.now();
  interruptions.push(pauseAt);
  await until(`${paused.name}'s accounts taken over while it is paused`, async () => {
    const o = await owners(others);
    for (const a of pausedAccounts) if (o.get(a).length !== 1 || (await online(a)) < 1) return false;
    return true;
  }, 60000, 200);
  takeoverMs = Date.now() - pauseAt;
  await sleep(2000);
  paused.d.proc.kill('SIGCONT');
  paused.stopped = false;
  console.log(`${stamp()} SIGSTOP ${paused.name} (${pausedAccounts.length} accounts): taken over after ${takeoverMs} ms; SIGCONT`);
  await until(`${paused.name} to give up what it no longer owns`, async () => {
    own = await owners();
    return accounts.every((a) => own.get(a).length === 1) && pausedAccounts.every((a) => own.get(a)[0] !== paused.name ||
                                                                                          others.length === 0);
  }, 40000, 250);
  const pausedMetrics = (await metricsOf(paused)) ?? '';
  fenced = metric(pausedMetrics, 'switchboard_cluster_fenced_writes_total');
  fenced = Number.isNaN(fenced) ? 0 : fenced;
  const pausedLog = fs.readFileSync(paused.d.log, 'utf8');
  if (!/revoked partitions=/.test(pausedLog.slice(pausedLog.indexOf('joined group')))) fail(`${paused.name} never released its partitions after SIGCONT`);
  // Phones kept writing to its accounts while it was stopped: what it had received (the frames in
  // its sockets) and processes after SIGCONT, before the group's verdict releases the account, it
  // tries to store, and the fence refuses every such write. Each refusal is logged and counted,
  // and only for accounts it had before the pause. (How many there are depends on that race.)
  const refusals = [...pausedLog.matchAll(/write refused for account=(\d+)/g)].map((m) => m[1]);
  if (refusals.length !== fenced) fail(`${paused.name} logged ${refusals.length} refused writes but counted ${fenced}`);
  const foreign = refusals.filter((a) => !pausedAccounts.includes(a));
  if (foreign.length) fail(`${paused.name} had writes refused for accounts it never ran: ${foreign.slice(0, 3)}`);
}

// Writes are done: every message sent reached `inbound`.
await sleep(2000);
streaming = false;
await stream;
const missing = () => {
  const seen = new Set(kafka.seen.inbound.map((r) => r.body.networkId));
  return sent.filter((s) => !seen.has(s.id));
};
const drainStart = Date.now();
while (missing().length && Date.now() - drainStart < 60000) await sleep(250);
const lost = missing();
if (lost.length) fail(`${lost.length} of ${sent.length} messages never reached inbound, e.g. ${JSON.stringify(lost.slice(0, 3))}`);
for (const r of kafka.seen.inbound) {
  const s = sent.find((x) => x.id === r.body.networkId);
  if (s && r.body.text !== s.text) fail(`wrong text for ${s.id}: ${r.body.text}`);
}

// 5. Each outbox row reaches Kafka once: the daemon holding its account's partition produces it.
// The one exception is at-least-once delivery itself: a record Kafka acknowledged in the
// milliseconds before its daemon was killed or stopped, before the daemon deleted its row, is
// produced again by the row's next owner. Such copies were created just before an interruption.
await sleep(1000);
const copies = [];
let exactlyOnce = 0;
for (const topic of ['inbound', 'events', 'results']) {
  const byId = new Map();
  for (const r of kafka.seen[topic]) byId.set(r.ceId, [...(byId.get(r.ceId) ?? []), r]);
  for (const [ceId, all] of byId) {
    // Two rows may share a ce_id (a receipt the phone sent twice); a copy has the same content.
    const list = all.filter((r) => JSON.stringify(r.body) === JSON.stringify(all[0].body));
    if (list.length === 1) { exactlyOnce++; continue; }
    const first = Math.min(...list.map((r) => r.timestamp));
    const excused = interruptions.some((at) => first <= at && first > at - 2000);
    copies.push({ topic, ceId, n: list.length, excused, first: first - t0 });
  }
}
const unexcused = copies.filter((c) => !c.excused);
if (unexcused.length) fail(`${unexcused.length} records produced more than once: ${JSON.stringify(unexcused.slice(0, 5))}`);
console.log(`${stamp()} ${exactlyOnce} records on Kafka exactly once; ${copies.length} produced again after ` +
            'their daemon was interrupted between delivery and deletion');

// 4. Overlaps: none but the paused daemon's own connections (the process could not close them).
const overlaps = (await sim.must('overlaps')).overlaps;
const strange = overlaps.filter((o) => !pausedAccounts.includes(o.phone));
if (strange.length) fail(`accounts connected twice at once: ${JSON.stringify(strange.slice(0, 3))}`);
own = await owners();
for (const a of accounts) {
  if (own.get(a).length !== 1) fail(`account ${a} is run by ${JSON.stringify(own.get(a))}`);
  const n = await online(a);
  if (n !== 1) fail(`account ${a} has ${n} connections at the simulator`);
}

console.log(`cluster failover: ${daemonCount} daemons, ${accountCount} accounts ${JSON.stringify(perDaemon)}; ` +
            `SIGKILL ${victim.name}: ${moved.length} accounts connected elsewhere in ${failoverMs} ms; ` +
            `SIGSTOP ${paused.name}: ${pausedAccounts.length} accounts taken over in ${takeoverMs} ms, ` +
            `${fenced} stale writes refused after SIGCONT, ${overlaps.length} replaced connections ` +
            `of the paused daemon; ${sent.length} messages sent, all on inbound (${kafka.seen.inbound.length} records); ` +
            `${outbound.length} outbound commands sent once each by their account's owner; rejoin: ${rejoinMoved} accounts ` +
            `moved, ${stayed} stayed connected (${strategy}); move ${movedAccount} to ` +
            `${moveTarget.name} in ${moveMs} ms; ${exactlyOnce} records ` +
            `produced once, ${copies.length} again after an interruption; no account connected twice`);
console.log(`BENCH ${JSON.stringify({ daemons: daemonCount, accounts: accountCount, perDaemon, failoverMs,
                                      moved: moved.length, takeoverMs, messages: sent.length, strategy,
                                      rejoinMoved, stayed })}`);
await controlProducer.disconnect();
await kafka.stop();
for (const x of daemons) if (x.alive) await x.d.kill('SIGTERM');
await kafkaMock.stop();
await sim.stop();
await pg.stop();
if (!process.env.SB_KEEP) fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
