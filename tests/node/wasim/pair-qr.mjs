// Baileys pairs with the simulator by QR code: the simulated phone scans the QR text Baileys
// shows, Baileys countersigns, gets 515 and reconnects; then it is restarted from its saved
// credentials and logs in again. Checks what the simulator recorded on each step.
// Usage: node --experimental-global-webcrypto pair-qr.mjs --sim <switchboard-wasim> [--peer baileys|baileys6]
import { args, fail, loadBaileys, makeClient, startSimulator, until } from './lib.mjs';

const peer = args.peer ?? 'baileys';
const lib = await loadBaileys(peer);
setTimeout(() => fail('timed out'), 100000).unref();

const sim = await startSimulator(args.sim);
const phone = '15551230001';
await sim.must('create_account', { phone, name: 'Alice' });

// 1. A QR code appears; the phone scans it.
let scans = 0;
const client = makeClient(lib, sim, 'alice', {
  onQr: async (qr) => {
    if (scans++ > 0) return;
    const r = await sim.command('scan', { phone, qr });
    if (!r.ok) fail(`scan refused: ${JSON.stringify(r.error)}`);
  },
});
client.connect();
const paired = await sim.waitEvent((e) => e.event === 'paired' || e.event === 'pairing_failed', 'pairing');
if (paired.event !== 'paired') fail(`pairing failed: ${paired.detail}`);
if (paired.device !== 1) fail(`first companion got device ${paired.device}`);

// 2. Baileys saved its identity, was told to restart (515), reconnected and logged in.
await until('Baileys to open after pairing', () => client.open);
if (client.closes[0] !== 515) fail(`first close was ${client.closes[0]}, expected 515 (restart required)`);
const me = client.auth.creds.me;
if (me?.id !== `${phone}:1@s.whatsapp.net`) fail(`creds.me.id is ${me?.id}`);
const account = (await sim.must('accounts')).accounts.find((a) => a.phone === phone);
if (me?.lid !== `${account.lid}:1@lid`) fail(`creds.me.lid is ${me?.lid}, the account's LID is ${account.lid}`);
await sim.waitEvent((e) => e.event === 'connected' && e.phone === phone && e.device === 1, 'login');

// 3. It uploaded its prekeys (the simulator counts what it holds for the device).
const device = await until('prekeys on the simulator', async () => {
  const d = (await sim.must('devices', { phone })).devices[0];
  return d?.preKeys > 0 ? d : null;
});
if (!device.online) fail('the device is not online after login');
const uploaded = device.preKeys;

// 4. A restart from the saved credentials: a new socket, no QR, a plain login, no second upload.
client.stop();
await until('the device to go offline', async () => !(await sim.must('devices', { phone })).devices[0].online);
const again = makeClient(lib, sim, 'alice-restarted', {
  auth: client.auth,
  onQr: () => fail('a QR code appeared for a paired client'),
});
again.connect();
await until('the restarted client to open', () => again.open);
const logins = sim.events.filter((e) => e.event === 'connected' && e.phone === phone).length;
if (logins !== 2) fail(`expected two logins, saw ${logins}`);
const after = (await sim.must('devices', { phone })).devices;
if (after.length !== 1 || !after[0].online) fail(`devices after restart: ${JSON.stringify(after)}`);
if (after[0].preKeys !== uploaded) fail(`prekeys changed across the restart: ${uploaded} -> ${after[0].preKeys}`);
again.stop();

console.log(`${peer}: paired by QR as ${me.id} (${me.lid}), ${uploaded} prekeys uploaded, restarted and logged in again`);
await sim.stop();
process.exit(0);
