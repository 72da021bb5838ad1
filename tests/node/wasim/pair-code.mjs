// Baileys links by pairing code: it asks for a code for the account's number, the user "types"
// it on the simulated phone (pair_code), the key bundle exchange derives the ADV secret on both
// sides, and Baileys ends up logged in. A wrong code typed on the phone must not link anything.
// Usage: node --experimental-global-webcrypto pair-code.mjs --sim <switchboard-wasim> [--peer baileys|baileys6]
import { args, fail, loadBaileys, makeClient, startSimulator, until } from './lib.mjs';

const peer = args.peer ?? 'baileys';
const lib = await loadBaileys(peer);
setTimeout(() => fail('timed out'), 100000).unref();

const sim = await startSimulator(args.sim);
const phone = '15551230007';
await sim.must('create_account', { phone, name: 'Carol' });

// Baileys shows its first QR code once pair-device arrived; that is when a code can be asked for.
const requestCode = (client) => new Promise((resolve) => {
  let asked = false;
  client.onQr = async () => {
    if (asked) return;
    asked = true;
    resolve(await client.sock.requestPairingCode(phone));
  };
});

const waitingForCode = () => until('the companion\'s code request to reach the simulator', async () =>
  (await sim.must('pending')).pending.find((p) => p.codePhone === phone));

// 1. The user mistypes the code: the phone cannot open the companion's key bundle.
const wrong = makeClient(lib, sim, 'carol-wrong', { onQr: (qr, c) => c.onQr?.(qr) });
const wrongCode = requestCode(wrong);
wrong.connect();
const code1 = await wrongCode;
if (!/^[1-9A-HJ-NP-TV-Z]{8}$/.test(code1)) fail(`Baileys made the code "${code1}"`);
await waitingForCode();
const typo = code1[0] === 'A' ? `B${code1.slice(1)}` : `A${code1.slice(1)}`;
await sim.must('pair_code', { phone, code: typo });
const failed = await sim.waitEvent((e) => e.event === 'pairing_failed' || e.event === 'paired', 'the wrong code');
if (failed.event !== 'pairing_failed') fail('a wrong pairing code linked a device');
wrong.stop();
if ((await sim.must('devices', { phone })).devices.length !== 0) fail('a device is listed after a wrong code');

// 2. The right code links the companion and it logs in.
const client = makeClient(lib, sim, 'carol', { onQr: (qr, c) => c.onQr?.(qr) });
const codePromise = requestCode(client);
client.connect();
const code = await codePromise;
await waitingForCode();
await sim.must('pair_code', { phone, code: `${code.slice(0, 4)}-${code.slice(4).toLowerCase()}` });
const paired = await sim.waitEvent((e) => e.event === 'paired', 'pairing by code');
await until('Baileys to open after code pairing', () => client.open, 60000);
const me = client.auth.creds.me;
if (me?.id !== `${phone}:${paired.device}@s.whatsapp.net`) fail(`creds.me.id is ${me?.id}`);
const devices = (await sim.must('devices', { phone })).devices;
if (devices.length !== 1 || !devices[0].online) fail(`devices: ${JSON.stringify(devices)}`);
client.stop();
console.log(`${peer}: a mistyped code was refused (${failed.detail}); code ${code} linked ${me.id}`);
await sim.stop();
process.exit(0);
