// Shared by the end-to-end tests of the WhatsApp connector: every party is a separate process on
// loopback, and the checks use only what an outside client sees. The simulator (switchboard-wasim)
// plays WhatsApp, switchboard-kafka-mock plays the Kafka cluster (a process of its own, so its
// records survive a SIGKILL of the daemon), switchboardd runs the connector plugin on SQLite in a
// temporary directory, and kafkajs reads `inbound`, `events` and `results` and writes `outbound`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fail, sleep, startSimulator } from '../wasim/lib.mjs';

export { args, fail, sleep, until, loadBaileys, pairClient, startSimulator } from '../wasim/lib.mjs';

const require = createRequire(import.meta.url);
const children = new Set();
// fail() exits the process: whatever we started goes with it (the simulator exits on stdin EOF).
process.on('exit', () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
});

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-'));

/// switchboard-kafka-mock with one partition per topic; resolves with { bootstrap, stop() }.
export async function startKafka(binary) {
  const proc = spawn(binary, ['--partitions', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(proc);
  proc.on('exit', (code, signal) => {
    if (!proc.stopping) fail(`the Kafka mock exited unexpectedly (${code ?? signal})`);
  });
  const bootstrap = await new Promise((resolve) => {
    createInterface({ input: proc.stdout }).once('line', (l) => resolve(l.trim()));
  });
  return {
    bootstrap,
    stop() {
      proc.stopping = true;
      proc.kill('SIGTERM');
      return new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    },
  };
}

/// The daemon's configuration: SQLite and the state directory in `dir`, the external Kafka
/// mock, no admin API, and the WhatsApp connector pointed at the simulator.
export function daemonConfig({ dir, bootstrap, sim, accounts, connector = {} }) {
  const accountLines = accounts.map((a) => `        - {id: "${a}", push_name: "Switchboard ${a}"}`).join('\n');
  const extra = Object.entries(connector).map(([k, v]) => `      ${k}: ${v}`).join('\n');
  const file = path.join(dir, 'switchboard.yaml');
  fs.writeFileSync(file, `daemon:
  threads: 2
  shutdown_deadline: 10s
  state_dir: ${dir}
storage:
  url: sqlite://${dir}/switchboard.db
kafka:
  embedded: false
  brokers: ["${bootstrap}"]
  partitions: 1
  create_topics: false
  poll_interval: 50ms
admin:
  enabled: false
plugins:
  - name: whatsapp
    library: whatsapp
    config:
      server_url: ${sim.info.url}
      trusted_root_key: ${sim.info.rootKey}
      reconnect: {initial: 100ms, max: 1s}
      pacing: {per_second: 100, burst: 100}
      iq_timeout: 15s
${extra}
      accounts:
${accountLines}
`);
  return file;
}

/// switchboardd as a child process; resolves once it logged "ready". `kill(signal)` resolves on exit.
export async function startDaemon(binary, { config, pluginDir, dir, label = 'daemon' }) {
  const log = path.join(dir, `${label}-${Date.now()}.log`);
  const out = fs.openSync(log, 'a');
  const proc = spawn(binary, ['--config', config, '--plugin-dir', pluginDir], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  children.add(proc);
  const daemon = {
    proc,
    log,
    tail(lines = 40) {
      return fs.readFileSync(log, 'utf8').split('\n').slice(-lines).join('\n');
    },
    kill(signal = 'SIGTERM') {
      proc.expected = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
      const done = new Promise((r) => proc.on('exit', r));
      proc.kill(signal);
      return done;
    },
  };
  proc.on('exit', (code, signal) => {
    if (!proc.expected) {
      console.error(`--- ${label} log:\n${daemon.tail()}`);
      fail(`${label} exited unexpectedly (${code ?? signal})`);
    }
  });
  const end = Date.now() + 90000;
  while (!/\bready plugins=/.test(fs.readFileSync(log, 'utf8'))) {
    if (Date.now() > end) {
      console.error(`--- ${label} log:\n${daemon.tail()}`);
      fail(`${label} did not become ready`);
    }
    await sleep(100);
  }
  return daemon;
}

const header = (m, name) => (m.headers?.[name] !== undefined ? m.headers[name].toString() : undefined);

/// kafkajs following `inbound`, `events` and `results` from the beginning (JSON format). Each
/// record is kept decoded as { topic, key, ceId, offset, timestamp, body } where body is the Envelope's body.
export async function startKafkaClient(bootstrap) {
  const { Kafka, Partitioners, logLevel } = require('kafkajs');
  const kafka = new Kafka({ clientId: 'e2e-client', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const seen = { inbound: [], events: [], results: [] };
  const consumers = [];
  const run = `e2e-${process.pid}`;
  await Promise.all(Object.keys(seen).map(async (topic) => {
    const consumer = kafka.consumer({ groupId: `${run}-${topic}`, sessionTimeout: 6000, rebalanceTimeout: 10000,
                                      heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: `switchboard.${topic}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const env = JSON.parse(message.value.toString('utf8'));
        seen[topic].push({ topic, key: message.key?.toString(), ceId: header(message, 'ce_id'),
                           offset: message.offset, timestamp: Number(message.timestamp),
                           body: env.message ?? env.event ?? env.result ?? env });
      },
    });
  }));
  // Not idempotent: kafkajs wants a controller broker for InitProducerId, which the mock lacks.
  const producer = kafka.producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    seen,
    /// Writes one command (the Envelope's `command` body) to `outbound`, keyed by its recipient.
    async command(command) {
      await producer.send({
        topic: 'switchboard.outbound',
        acks: -1,
        messages: [{ key: command.sendText?.to ?? command.commandId, value: JSON.stringify({ command }),
                     headers: { 'content-type': 'application/json' } }],
      });
    },
    events: (type) => seen.events.map((r) => r.body).filter((e) => e.type === type),
    results: (commandId) => seen.results.map((r) => r.body).filter((r) => r.commandId === commandId),
    async stop() {
      await producer.disconnect();
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
}

/// Waits for the connector's QR code for `account` on `events`, has the account's simulated phone
/// scan it, and waits until the session state `connected` is on `events`. Returns the events seen.
export async function pairThroughDaemon(sim, kafka, account, ms = 60000) {
  const end = Date.now() + ms;
  const ofAccount = (type) => kafka.events(type).filter((e) => e.account === account);
  let qr;
  while (!(qr = ofAccount('session.qr')[0])) {
    if (Date.now() > end) fail(`no session.qr event for ${account} on events`);
    await sleep(100);
  }
  if (!qr.attributes?.qr || qr.attributes.qr.split(',').length < 4) fail(`session.qr without a QR text: ${JSON.stringify(qr)}`);
  const scanned = await sim.command('scan', { phone: account, qr: qr.attributes.qr });
  if (!scanned.ok) fail(`the phone could not scan the connector's QR: ${JSON.stringify(scanned.error)}`);
  const connected = () => ofAccount('session.state').find((e) => e.attributes?.state === 'connected');
  while (!connected()) {
    if (Date.now() > end) fail(`${account} never reached connected (states: ${ofAccount('session.state').map((e) => e.attributes?.state)})`);
    await sleep(100);
  }
  return { qr, paired: ofAccount('session.paired')[0], connected: connected() };
}

/// Starts the simulator, the Kafka mock, kafkajs and the daemon, with `accounts` created in the
/// simulator (connector accounts) plus `peers` (accounts for Baileys or simulated phones).
/// `sim` may be one already running (httpSimulator over its control API); it is then not stopped.
export async function startWorld(argsIn, { accounts, peers = [], connector, sim: given } = {}) {
  const sim = given ?? await startSimulator(argsIn.sim);
  for (const phone of [...accounts, ...peers]) await sim.command('create_account', { phone, name: `Sim ${phone}` });
  const kafkaMock = await startKafka(argsIn.kafka);
  const kafka = await startKafkaClient(kafkaMock.bootstrap);
  const dir = tempDir();
  const config = daemonConfig({ dir, bootstrap: kafkaMock.bootstrap, sim, accounts, connector });
  const start = (label) => startDaemon(argsIn.daemon, { config, pluginDir: argsIn['plugin-dir'], dir, label });
  const world = { sim, kafkaMock, kafka, dir, config, startDaemon: start, daemon: await start('daemon') };
  world.stop = async () => {
    await world.daemon.kill('SIGTERM');
    await kafka.stop();
    await kafkaMock.stop();
    if (!given) await sim.stop();
    if (!process.env.SB_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };
  return world;
}
