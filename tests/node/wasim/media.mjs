// Media through the simulator's HTTPS endpoint, driven over its HTTP control API: Alice (Baileys)
// uploads an encrypted document (w:m media_conn, POST /mms/document/<token>), Bob (Baileys)
// downloads it from the direct path and decrypts it to the same bytes. Node must trust the
// simulator's media CA before it starts (NODE_EXTRA_CA_CERTS), so the test starts the simulator,
// then runs itself again as a child with that variable set.
// Usage: node --experimental-global-webcrypto media.mjs --sim <switchboard-wasim> [--peer baileys]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { args, fail, httpSimulator, loadBaileys, pairClient, startSimulator, until } from './lib.mjs';

const peer = args.peer ?? 'baileys';

if (!process.env.WASIM_MEDIA_CHILD) {
  await loadBaileys(peer);  // skips (77) early when Baileys is not installed
  setTimeout(() => fail('timed out'), 170000).unref();
  const sim = await startSimulator(args.sim, ['--control', '127.0.0.1:0']);
  if (!sim.info.control || !sim.info.mediaCa) fail(`the simulator announced no control API or media CA: ${JSON.stringify(sim.info)}`);
  // The control API answers errors with the project's JSON error body and a status.
  const missing = await fetch(`${sim.info.control}/v1/accounts/19999999999/devices`);
  const body = await missing.json();
  if (missing.status !== 404 || body.error?.code !== 'wasim.not_found') fail(`unknown account: ${missing.status} ${JSON.stringify(body)}`);
  const created = await fetch(`${sim.info.control}/v1/accounts`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ phone: '15551230001', name: 'Alice' }),
  });
  if (created.status !== 201) fail(`create account over HTTP: ${created.status}`);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, WASIM_MEDIA_CHILD: JSON.stringify(sim.info), NODE_EXTRA_CA_CERTS: sim.info.mediaCa },
  });
  const code = await new Promise((r) => child.on('exit', r));
  await sim.stop();
  process.exit(code ?? 1);
}

const info = JSON.parse(process.env.WASIM_MEDIA_CHILD);
const lib = await loadBaileys(peer);
const sim = httpSimulator(info.control, info);
const alice = await pairClient(lib, sim, '15551230001', 'Alice');
const bob = await pairClient(lib, sim, '15551230002', 'Bob');

const file = randomBytes(200 * 1024 + 123);
const sent = await alice.sock.sendMessage('15551230002@s.whatsapp.net', {
  document: file, mimetype: 'application/octet-stream', fileName: 'payload.bin', caption: 'the file',
});
const doc = sent.message?.documentMessage;
if (!doc?.directPath || !doc.url?.startsWith(`https://${info.media}/`)) fail(`upload result: ${JSON.stringify(doc)}`);
const got = await until('Bob to receive the document', () =>
  bob.messages.find((m) => m.key.id === sent.key.id && m.message?.documentMessage));
const bytes = await lib.B.downloadMediaMessage(got, 'buffer', {});
if (!Buffer.from(bytes).equals(file)) fail(`Bob downloaded ${bytes.length} bytes that differ from the ${file.length} sent`);
alice.stop();
bob.stop();
console.log(`${peer}: a ${file.length}-byte document uploaded over HTTPS to ${info.media} and downloaded and decrypted by the receiver`);
process.exit(0);
