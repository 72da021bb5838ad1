// Pairing through the daemon: the connector shows a QR code on the Kafka `events` topic, the
// account's simulated phone scans it, the session reaches `connected`; after a restart of the
// daemon the account logs in from its stored credentials without a new QR code.
// Usage: node --experimental-global-webcrypto pairing.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir>
import { args, fail, pairThroughDaemon, sleep, startWorld, until } from './lib.mjs';

setTimeout(() => fail('timed out'), 110000).unref();
const account = '15551230001';
const world = await startWorld(args, { accounts: [account] });
const { sim, kafka } = world;

const { qr, paired } = await pairThroughDaemon(sim, kafka, account);
// The contract's field carries the QR text, not only the free-form attributes.
if (qr.pairingQr?.code !== qr.attributes.qr) fail(`pairingQr.code is "${qr.pairingQr?.code}", attribute qr "${qr.attributes.qr}"`);
if (!qr.pairingQr?.expiresAt) fail('session.qr without pairingQr.expiresAt');
if (!paired || !paired.attributes.jid.startsWith(`${account}:`)) fail(`session.paired: ${JSON.stringify(paired)}`);

// The simulator sees one companion of the account, online.
const companion = async () => (await sim.must('devices', { phone: account })).devices.find((d) => d.device > 0 && d.online);
await until('the companion online in the simulator', companion);
const states = kafka.events('session.state').filter((e) => e.account === account).map((e) => e.sessionState?.state);
for (const s of ['connecting', 'qr', 'connected']) {
  if (!states.includes(s)) fail(`no session.state "${s}" on events (saw ${states})`);
}

// Restart: the stored credentials log in again, no second QR code.
await world.daemon.kill('SIGTERM');
const qrsBefore = kafka.events('session.qr').length;
const connectedBefore = kafka.events('session.state').filter((e) => e.sessionState?.state === 'connected').length;
world.daemon = await world.startDaemon('daemon-restarted');
await until('connected again after the restart', () =>
  kafka.events('session.state').filter((e) => e.sessionState?.state === 'connected').length > connectedBefore, 60000);
await sleep(500);
if (kafka.events('session.qr').length !== qrsBefore) fail('a QR code was shown again after a restart with stored credentials');

await world.stop();
console.log(`paired through the daemon (QR on events, scanned by the phone, ${paired.attributes.jid}); ` +
            `states ${states.join(' -> ')}; logged in again from stored credentials after a restart`);
process.exit(0);
