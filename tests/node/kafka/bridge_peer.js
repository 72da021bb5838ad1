'use strict';
// kafkajs as an enterprise system next to Switchboard: it reads `inbound`, `events`, `results` and
// `dlq`, and writes commands to `outbound`, in the deployment's format (JSON or protobuf).
// Started by tests/kafka/kafka_peer_harness, which runs the bridge on the embedded broker and
// passes SB_KAFKA_BOOTSTRAP, SB_KAFKA_FORMAT, SB_PROTO_DIR and SB_ACCOUNT. Exit 0 = all checks held.

const assert = require('assert');
const path = require('path');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const protobuf = require('protobufjs');

const bootstrap = process.env.SB_KAFKA_BOOTSTRAP;
const format = process.env.SB_KAFKA_FORMAT || 'json';
const protoDir = process.env.SB_PROTO_DIR;
const account = process.env.SB_ACCOUNT;
const prefix = 'switchboard.';
const run = `kjs-${format}-${process.pid}`;

const root = new protobuf.Root();
root.resolvePath = (origin, target) => (target.startsWith('google/') ? target : path.join(protoDir, target));
root.loadSync('switchboard/v1/envelope.proto');
const Envelope = root.lookupType('switchboard.v1.Envelope');

function decode(value) {
  if (format === 'json') {
    return JSON.parse(value.toString('utf8'));
  }
  return Envelope.toObject(Envelope.decode(value), { enums: String, longs: String });
}

function encode(envelope) {
  if (format === 'json') {
    return Buffer.from(JSON.stringify(envelope));
  }
  const err = Envelope.verify(envelope);
  if (err) throw new Error(err);
  return Buffer.from(Envelope.encode(Envelope.fromObject(envelope)).finish());
}

const contentType = format === 'json' ? 'application/json' : 'application/protobuf';
const header = (m, name) => (m.headers && m.headers[name] !== undefined ? m.headers[name].toString() : undefined);

const kafka = new Kafka({ clientId: 'kafkajs-peer', brokers: bootstrap.split(','), logLevel: logLevel.WARN });
const seen = { inbound: [], events: [], results: [], dlq: [] };
const consumers = [];

async function follow(topic) {
  const consumer = kafka.consumer({
    groupId: `${run}-${topic}`, sessionTimeout: 6000, rebalanceTimeout: 10000, heartbeatInterval: 1000,
  });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: prefix + topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { seen[topic].push(message); } });
}

async function until(what, pred, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main() {
  await Promise.all(['inbound', 'events', 'results', 'dlq'].map(follow));

  // 1. Inbound messages the harness seeded in the outbox.
  await until('5 inbound records', () => seen.inbound.length >= 5);
  for (const m of seen.inbound) {
    const env = decode(m.value);
    assert.ok(env.message, 'inbound body is `message`');
    assert.strictEqual(header(m, 'ce_id'), env.message.id);
    assert.strictEqual(header(m, 'ce_type'), 'switchboard.v1.InboundMessage');
    assert.strictEqual(header(m, 'ce_specversion'), '1.0');
    assert.strictEqual(header(m, 'content-type'), contentType);
    assert.strictEqual(header(m, 'sb-account'), account);
    assert.strictEqual(m.key.toString(), env.message.conversation);
    assert.strictEqual(env.message.kind, 'MESSAGE_KIND_TEXT');
  }

  // 2. Commands: two good ones, a duplicate, a malformed one, one for an unknown account.
  const send = (id, acct, text) => ({
    command: { commandId: id, account: acct, sendText: { to: '15552223333', text } },
  });
  // Not idempotent: kafkajs wants a controller broker for InitProducerId, which the mock cluster lacks.
  const producer = kafka.producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const malformed = format === 'json' ? Buffer.from('{"command": [') : Buffer.from([0x0a, 0xff, 0xff, 0x07]);
  const headers = { 'content-type': contentType };
  await producer.send({
    topic: prefix + 'outbound',
    acks: -1,
    messages: [
      { key: 'conv-a', value: encode(send(`${run}-1`, account, 'hello from kafkajs')), headers },
      { key: 'conv-b', value: encode(send(`${run}-2`, account, 'second')), headers },
      { key: 'conv-a', value: encode(send(`${run}-1`, account, 'hello from kafkajs')), headers },
      { key: 'bad', value: malformed, headers },
      { key: 'unknown', value: encode(send(`${run}-3`, '19999999999', 'nobody')), headers },
    ],
  });
  await producer.disconnect();

  // 3. Results in stages: accepted, then sent (the harness's connector stand-in), once per command.
  const stagesOf = (id) => seen.results.map((m) => decode(m.value).result)
    .filter((r) => r.commandId === id).map((r) => r.stage);
  await until('results of both commands', () => stagesOf(`${run}-1`).length >= 2 && stagesOf(`${run}-2`).length >= 2);
  await new Promise((r) => setTimeout(r, 1500));  // room for a wrong extra result to show up
  for (const id of [`${run}-1`, `${run}-2`]) {
    assert.deepStrictEqual(stagesOf(id), ['RESULT_STAGE_ACCEPTED', 'RESULT_STAGE_SENT'], id);
  }
  assert.deepStrictEqual(stagesOf(`${run}-3`), [], 'unknown account has no result');
  const sent = seen.results.find((m) => header(m, 'ce_id') === `${run}-1:sent`);
  assert.ok(sent, 'ce_id of a result is <command_id>:<stage>');

  // 4. Receipts follow on `events`.
  const receipts = () => seen.events.map((m) => decode(m.value).event)
    .filter((e) => e.type === 'receipt.delivered');
  await until('delivered receipts', () => receipts().length >= 2);
  assert.deepStrictEqual(receipts().map((e) => e.receipt.commandId).sort(), [`${run}-1`, `${run}-2`]);
  assert.ok(seen.events.some((m) => decode(m.value).event.type === 'session.state'), 'seeded session event');

  // 5. Dead letters: original bytes, reason and source in headers.
  await until('2 dead letters', () => seen.dlq.length >= 2);
  const bad = seen.dlq.find((m) => m.key.toString() === 'bad');
  assert.ok(bad, 'malformed command dead-lettered');
  assert.ok(bad.value.equals(malformed), 'original bytes kept');
  assert.strictEqual(header(bad, 'sb-dlq-code'), 'command.malformed');
  assert.strictEqual(header(bad, 'sb-dlq-topic'), prefix + 'outbound');
  assert.match(header(bad, 'sb-dlq-offset'), /^\d+$/);
  const unknown = seen.dlq.find((m) => m.key.toString() === 'unknown');
  assert.ok(unknown, 'unknown account dead-lettered');
  assert.strictEqual(header(unknown, 'sb-dlq-code'), 'command.unknown_account');
  assert.ok(header(unknown, 'sb-dlq-reason').includes('19999999999'));
  console.log(`kafkajs peer (${format}): all checks passed; commands ${run}-1, ${run}-2`);
  process.stdout.write(`COMMANDS ${run}-1 ${run}-2\n`);
}

const watchdog = setTimeout(() => { console.error('kafkajs peer: overall timeout'); process.exit(1); }, 110000);
main()
  .then(async () => { await Promise.all(consumers.map((c) => c.disconnect())); clearTimeout(watchdog); process.exit(0); })
  .catch((e) => { console.error('kafkajs peer failed:', e && e.stack ? e.stack : e); process.exit(1); });
