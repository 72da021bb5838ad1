// Media and groups from a Baileys 7 client to an account run by the connector in the daemon: an
// image and a document (uploaded encrypted to the simulator's HTTPS media endpoint) and a text in
// a group Baileys creates with our account in it. Each must appear on `inbound` complete: media
// metadata matching what Baileys sent and a reference to the downloaded, decrypted file; the
// group's id and the participant who wrote.
// Node must trust the simulator's media CA before it starts (NODE_EXTRA_CA_CERTS), so the test
// starts the simulator, then runs itself again as a child with that variable set.
// Usage: node --experimental-global-webcrypto media-groups.mjs --sim <switchboard-wasim>
//          --kafka <switchboard-kafka-mock> --daemon <switchboardd> --plugin-dir <dir> [--cases media,groups]
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import { httpSimulator } from '../wasim/lib.mjs';
import { args, fail, loadBaileys, pairClient, pairThroughDaemon, startSimulator, startWorld, until } from './lib.mjs';

if (!process.env.E2E_MEDIA_CHILD) {
  await loadBaileys('baileys');  // skips (77) early when Baileys is not installed
  setTimeout(() => fail('timed out'), 170000).unref();
  const sim = await startSimulator(args.sim, ['--control', '127.0.0.1:0']);
  if (!sim.info.control || !sim.info.mediaCa) fail(`the simulator announced no control API or media CA: ${JSON.stringify(sim.info)}`);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, E2E_MEDIA_CHILD: JSON.stringify(sim.info), NODE_EXTRA_CA_CERTS: sim.info.mediaCa },
  });
  const code = await new Promise((r) => child.on('exit', r));
  await sim.stop();
  process.exit(code ?? 1);
}

const info = JSON.parse(process.env.E2E_MEDIA_CHILD);
const lib = await loadBaileys('baileys');
const sim = httpSimulator(info.control, info);
const [account, bobPhone, carolPhone] = ['15551230001', '15551230002', '15551230003'];
const cases = new Set((args.cases ?? 'media,groups').split(','));
const world = await startWorld(args, {
  sim, accounts: [account], peers: [bobPhone, carolPhone],
  connector: cases.has('media') ? { media_ca_file: info.mediaCa } : {},
});
const { kafka } = world;
await pairThroughDaemon(sim, kafka, account);
const bob = await pairClient(lib, sim, bobPhone, 'Bob');
const accountJid = `${account}@s.whatsapp.net`;
const inboundOf = (networkId) => kafka.seen.inbound.find((r) => r.body.networkId === networkId)?.body;
const check = (cond, what, got) => {
  if (!cond) fail(`${what}: ${JSON.stringify(got)}`);
};
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// 1. An image and a document, each checked against the bytes Baileys sent.
async function media() {
  const image = randomBytes(48 * 1024 + 7);  // bytes only: the connector does not decode pixels
  const document = randomBytes(150 * 1024 + 123);
  const sentImage = await bob.sock.sendMessage(accountJid, {
    image, mimetype: 'image/jpeg', caption: 'an image', width: 640, height: 480,
  });
  const sentDoc = await bob.sock.sendMessage(accountJid, {
    document, mimetype: 'application/pdf', fileName: 'invoice-42.pdf', caption: 'the invoice',
  });
  for (const [sent, bytes, kind] of [[sentImage, image, 'MESSAGE_KIND_IMAGE'], [sentDoc, document, 'MESSAGE_KIND_DOCUMENT']]) {
    const m = await until(`${kind} on inbound`, () => inboundOf(sent.key.id), 60000);
    check(m.kind === kind, 'kind', m);
    check(m.sender?.split(/[:@]/)[0] === bobPhone, 'sender', m);
    check(m.media && Number(m.media.size) === bytes.length && m.media.sha256Hex === sha256(bytes), 'size and sha256', m.media);
    check(m.media.ref, 'a reference to the stored file', m.media);
    // The reference names the decrypted file in the daemon's media store.
    const stored = fs.existsSync(m.media.ref) ? fs.readFileSync(m.media.ref) : null;
    check(stored && sha256(stored) === sha256(bytes), 'the stored file holds the bytes Baileys sent', m.media.ref);
  }
  const img = inboundOf(sentImage.key.id);
  check(img.media.mimeType === 'image/jpeg' && img.media.caption === 'an image', 'image metadata', img.media);
  const doc = inboundOf(sentDoc.key.id);
  check(doc.media.mimeType === 'application/pdf' && doc.media.fileName === 'invoice-42.pdf' &&
        doc.media.caption === 'the invoice', 'document metadata', doc.media);
  return `an image (${image.length} B) and a document (${document.length} B) from Baileys on inbound with ` +
         'metadata and the downloaded file';
}

// 2. A group with our account and a simulated phone in it; Bob writes to it.
async function groups() {
  const group = await bob.sock.groupCreate('Switchboard e2e', [accountJid, `${carolPhone}@s.whatsapp.net`]);
  check(group.id.endsWith('@g.us'), 'groupCreate', group);
  const sentGroup = await bob.sock.sendMessage(group.id, { text: 'hello group' });
  const g = await until('the group message on inbound', () => inboundOf(sentGroup.key.id), 60000);
  check(g.isGroup && g.chat === group.id && g.text === 'hello group' && g.kind === 'MESSAGE_KIND_TEXT', 'group message', g);
  check(g.sender?.split(/[:@]/)[0] === bobPhone, 'the participant who wrote', g);
  const direct = await bob.sock.sendMessage(accountJid, { text: 'not in the group' });
  const d = await until('a direct message beside the group', () => inboundOf(direct.key.id));
  check(g.conversation && g.conversation !== d.conversation, 'the group is a conversation of its own', [g, d]);
  const second = await bob.sock.sendMessage(group.id, { text: 'second in the group' });
  const g2 = await until('the second group message (sender key reused)', () => inboundOf(second.key.id), 60000);
  check(g2.text === 'second in the group' && g2.conversation === g.conversation, 'second group message', g2);
  return 'two group messages with group id and participant';
}

const done = [];
if (cases.has('media')) done.push(await media());
if (cases.has('groups')) done.push(await groups());

bob.stop();
await world.stop();
console.log(done.join('; '));
process.exit(0);
