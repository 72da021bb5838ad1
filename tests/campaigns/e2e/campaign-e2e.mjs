// A campaign end to end: switchboard-wasim plays WhatsApp with one simulated phone per contact,
// switchboard-kafka-mock plays Kafka, switchboardd runs the WhatsApp connector and the campaigns
// plugin on SQLite. The contacts are imported through the admin API; a few of them text STOP
// first. The campaign is created through the plugin's admin route; with --kill the daemon is
// SIGKILLed once about half the recipients have a Sent result, and started again on the same
// database. Checked at the simulator, by WhatsApp message id: every other contact's phone got the
// campaign message under exactly one id, the ones who opted out got only their one confirmation.
// Usage: node --experimental-global-webcrypto campaign-e2e.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir>
//          [--contacts 200] [--opted-out 5] [--per-minute 6000] [--kill] [--timeout 170]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { args, fail, sleep, until, startSimulator, startKafka, startKafkaClient, startDaemon, pairThroughDaemon,
         tempDir } from '../../node/e2e/lib.mjs';

const timeoutS = Number(args.timeout ?? 170);
setTimeout(() => fail('timed out'), timeoutS * 1000).unref();
const total = Number(args.contacts ?? 200);
const optedOut = Number(args['opted-out'] ?? 5);
const perMinute = Number(args['per-minute'] ?? 6000);
const kill = 'kill' in args;
const account = '15553000000';
const phones = Array.from({ length: total }, (_, i) => `1555301${String(i).padStart(4, '0')}`);
const quitters = new Set(phones.slice(0, optedOut));
const adminToken = `campaigns-e2e-${process.pid}`;
const campaignText = 'Campaign e2e for';
const started = Date.now();
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);

const sim = await startSimulator(args.sim, ['--no-events']);
for (const phone of [account, ...phones]) await sim.command('create_account', { phone, name: `Sim ${phone}` });
const kafkaMock = await startKafka(args.kafka);
const kafka = await startKafkaClient(kafkaMock.bootstrap);
const dir = tempDir();
const config = path.join(dir, 'switchboard.yaml');
fs.writeFileSync(config, `daemon:
  threads: 2
  shutdown_deadline: 10s
  state_dir: ${dir}
  plugin_dir: ${args['plugin-dir']}
storage:
  url: sqlite://${dir}/switchboard.db
kafka:
  embedded: false
  brokers: ["${kafkaMock.bootstrap}"]
  partitions: 1
  create_topics: false
  poll_interval: 50ms
admin:
  enabled: true
  port: 0
plugins:
  - name: whatsapp
    library: whatsapp
    config:
      server_url: ${sim.info.url}
      trusted_root_key: ${sim.info.rootKey}
      reconnect: {initial: 100ms, max: 1s}
      pacing: {per_second: 1000, burst: 1000}
      iq_timeout: 15s
      accounts:
        - {id: "${account}", push_name: "Switchboard campaigns"}
  - name: campaigns
    library: switchboard-campaigns
    config:
      admin_token: ${adminToken}
`);
const token = execFileSync(args.daemon, ['--config', config, '--create-token', 'e2e', '--role', 'operator'],
                           { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
if (!token.startsWith('sbt_')) fail(`--create-token printed "${token}"`);
const start = (label) => startDaemon(args.daemon, { config, pluginDir: args['plugin-dir'], dir, label });
let daemon = await start('daemon');
const adminUrl = () => {
  const m = fs.readFileSync(daemon.log, 'utf8').match(/admin API listening\. url=(\S+)/g);
  if (!m) fail('no admin URL in the daemon log');
  return m[m.length - 1].split('url=')[1];
};
async function http(method, route, body, { bearer = token, type = 'application/json' } = {}) {
  const r = await fetch(adminUrl() + route, {
    method, headers: { authorization: `Bearer ${bearer}`, 'content-type': type },
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  const text = await r.text();
  if (!r.ok) fail(`${method} ${route}: ${r.status} ${text}`);
  return JSON.parse(text);
}
const hook = (action, body) => http('POST', `/v1/hooks/campaigns/${action}`, body, { bearer: adminToken });

await pairThroughDaemon(sim, kafka, account);
const csv = ['phone,name,opted_in,tags', ...phones.map((p, i) => `${p},Contact ${i},true,e2e`)].join('\n') + '\n';
const imported = await http('POST', '/v1/contacts/import', csv, { type: 'text/csv' });
if (imported.created !== total) fail(`imported ${JSON.stringify(imported)}`);

// The quitters text STOP; each gets the confirmation once.
const inbox = async (phone) => (await sim.command('inbox', { phone })).messages ?? [];
for (const phone of quitters) {
  const r = await sim.command('send', { phone, to: `${account}@s.whatsapp.net`, text: 'STOP' });
  if (!r.ok) fail(`STOP from ${phone}: ${JSON.stringify(r.error)}`);
}
for (const phone of quitters) {
  await until(`opt-out confirmation at ${phone}`, async () => (await inbox(phone)).some((m) => /no more messages/.test(m.text ?? '')), 60000);
}
console.log(`${elapsed()} s: ${total} contacts imported, ${quitters.size} opted out by STOP`);

const refused = await fetch(`${adminUrl()}/v1/hooks/campaigns/list`, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: '{}' });
if (refused.status !== 401) fail(`a wrong token got ${refused.status} from the campaigns route`);
await hook('create', {
  schedule: true,
  campaign: {
    id: 'e2e', text: `${campaignText} {{contact.name}}`, segment: { tags: ['e2e'] }, accounts: [account],
    pacing: { per_minute: perMinute },
  },
});
const recipients = total - quitters.size;
const sentIds = () => new Set(kafka.seen.results.map((r) => r.body)
  .filter((r) => r.commandId?.startsWith('cmp:e2e:') && r.networkId &&
                 ['RESULT_STAGE_SENT', 'RESULT_STAGE_DELIVERED', 'RESULT_STAGE_READ'].includes(r.stage))
  .map((r) => r.commandId));
const runStart = Date.now();
let killedAt = -1;
if (kill) {
  await until('half the recipients sent', () => sentIds().size >= recipients / 2, 120000, 20);
  killedAt = sentIds().size;
  await daemon.kill('SIGKILL');
  console.log(`${elapsed()} s: SIGKILL with ${killedAt} of ${recipients} Sent`);
  daemon = await start('daemon-after-kill');
}
await until('every recipient sent', () => sentIds().size >= recipients, 150000, 100);
const runSeconds = (Date.now() - runStart) / 1000;
const failed = kafka.seen.results.map((r) => r.body).filter((r) => r.commandId?.startsWith('cmp:e2e:') && r.stage === 'RESULT_STAGE_FAILED');
if (failed.length) fail(`failed results: ${JSON.stringify(failed.slice(0, 3))}`);

// At the simulator: one message id per recipient phone, nothing for the quitters but their confirmation.
await sleep(1500);  // room for a late second copy
let copies = 0;
const missing = [];
for (const phone of phones) {
  const got = await inbox(phone);
  const campaign = got.filter((m) => (m.text ?? '').startsWith(campaignText));
  if (quitters.has(phone)) {
    if (campaign.length) fail(`${phone} opted out but got ${JSON.stringify(campaign)}`);
    const confirmations = got.filter((m) => /no more messages/.test(m.text ?? ''));
    if (new Set(confirmations.map((m) => m.id)).size !== 1) fail(`${phone}: ${confirmations.length} confirmations`);
    continue;
  }
  const ids = new Set(campaign.map((m) => m.id));
  if (ids.size === 0) missing.push(phone);
  else if (ids.size !== 1) fail(`${phone} got the campaign under ${ids.size} message ids: ${[...ids]}`);
  else if (!campaign[0].text.endsWith(`Contact ${phones.indexOf(phone)}`)) fail(`${phone} got "${campaign[0].text}"`);
  copies += campaign.length - ids.size;
  const undecryptable = got.filter((m) => m.error);
  if (undecryptable.length) fail(`${phone} could not decrypt: ${JSON.stringify(undecryptable[0])}`);
}
if (missing.length) fail(`${missing.length} recipients got nothing, e.g. ${missing.slice(0, 5)}`);

const report = await hook('report', { id: 'e2e' });
const v = report.variants[0];
if (v.messaged !== recipients || v.pending !== 0) fail(`report: ${JSON.stringify(v)}`);
const state = (await hook('get', { id: 'e2e' })).state;
if (state !== 'completed') fail(`campaign state ${state}`);

await daemon.kill('SIGTERM');
await kafka.stop();
await kafkaMock.stop();
await sim.stop();
if (!process.env.SB_KEEP) fs.rmSync(dir, { recursive: true, force: true });
console.log(`${recipients} recipients (${quitters.size} opted out) each reached under exactly one message id ` +
            `(${copies} second copies with the same id)${kill ? `, SIGKILL after ${killedAt} Sent` : ''}; ` +
            `run ${runSeconds.toFixed(1)} s at per_minute ${perMinute} (${(60 * recipients / runSeconds).toFixed(0)}/min measured); ` +
            `sent ${v.sent}, delivered ${v.delivered}, read ${v.read}`);
process.exit(0);
