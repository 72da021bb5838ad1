// Our .proto schema against Baileys' WAProto (the public schema): messages built and serialized by
// Baileys, including the ClientPayloads its own code generates for login and registration, are
// parsed by our schema. Every field must be known to us (same number and wire type), our JSON view
// must equal Baileys' decoding field by field (same names and values), and our re-serialization
// must decode in Baileys to the same object.
// Usage: node --experimental-global-webcrypto proto-crosscheck.mjs --tool <proto tool>
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
let B;
try {
  B = await import('baileys');
} catch (e) {
  console.error(`Baileys is not installed (npm ci in tests/node): ${e.message}; skipping`);
  process.exit(77);
}
const { proto } = B;
const rb = (n) => randomBytes(n);
const key = { remoteJid: '15551234567@s.whatsapp.net', fromMe: true, id: '3EB0C4A1F2D3E4F5A6B7', participant: '1@lid' };
const ctx = { stanzaId: 'ABC', participant: '15550001111@s.whatsapp.net', quotedMessage: { conversation: 'quoted' },
              remoteJid: '123-456@g.us', mentionedJid: ['1@s.whatsapp.net', '2@lid'], forwardingScore: 3, isForwarded: true, expiration: 86400 };
const media = { url: 'https://mmg.whatsapp.net/x', mimetype: 'image/jpeg', fileSha256: rb(32), fileLength: 12345, mediaKey: rb(32),
                fileEncSha256: rb(32), directPath: '/v/t62/x?ccb=1', mediaKeyTimestamp: 1711713012, contextInfo: ctx };
const creds = B.initAuthCreds();
const config = { version: [2, 3000, 1043857760], browser: ['Mac OS', 'Chrome', '14.4.1'], countryCode: 'US', syncFullHistory: true };

const cases = [
  ['HandshakeMessage', { clientHello: { ephemeral: rb(32) } }],
  ['HandshakeMessage', { serverHello: { ephemeral: rb(32), static: rb(48), payload: rb(300) } }],
  ['HandshakeMessage', { clientFinish: { static: rb(48), payload: rb(200) } }],
  ['CertChain', { leaf: { details: rb(60), signature: rb(64) }, intermediate: { details: rb(60), signature: rb(64) } }],
  ['CertChain.NoiseCertificate.Details', { serial: 2, issuerSerial: 1, key: rb(32), notBefore: 1700000000, notAfter: 2000000000 }],
  ['ClientPayload', B.generateRegistrationNode(creds, config)],
  ['ClientPayload', B.generateLoginNode('15551234567:3@s.whatsapp.net', config)],
  ['DeviceProps', { os: 'Mac OS', version: { primary: 10, secondary: 15, tertiary: 7 }, platformType: 'CHROME', requireFullSync: true,
                    historySyncConfig: { storageQuotaMb: 10240, inlineInitialPayloadInE2EeMsg: true, supportCallLogHistory: false, thumbnailSyncDaysLimit: 60 } }],
  ['ADVDeviceIdentity', { rawId: 12345, timestamp: 1711713012, keyIndex: 2, accountType: 'E2EE', deviceType: 'HOSTED' }],
  ['ADVSignedDeviceIdentity', { details: rb(20), accountSignatureKey: rb(32), accountSignature: rb(64), deviceSignature: rb(64) }],
  ['ADVSignedDeviceIdentityHMAC', { details: rb(150), hmac: rb(32), accountType: 'HOSTED' }],
  ['ADVKeyIndexList', { rawId: 1, timestamp: 2, currentIndex: 3, validIndexes: [1, 2, 3], accountType: 'E2EE' }],
  ['ADVSignedKeyIndexList', { details: rb(10), accountSignature: rb(64), accountSignatureKey: rb(32) }],
  ['Message', { conversation: 'hello ünïcode 👋' }],
  ['Message', { extendedTextMessage: { text: 'see https://x.y', matchedText: 'https://x.y', description: 'd', title: 't', jpegThumbnail: rb(50), contextInfo: ctx } }],
  ['Message', { imageMessage: { ...media, caption: 'cap', height: 10, width: 20, jpegThumbnail: rb(40), viewOnce: true } }],
  ['Message', { videoMessage: { ...media, mimetype: 'video/mp4', fileLength: 99, seconds: 12, caption: 'v', gifPlayback: true, height: 1, width: 2, jpegThumbnail: rb(9), streamingSidecar: rb(8) } }],
  ['Message', { audioMessage: { ...media, mimetype: 'audio/ogg; codecs=opus', seconds: 5, ptt: true, streamingSidecar: rb(10), waveform: rb(64) } }],
  ['Message', { documentMessage: { ...media, mimetype: 'application/pdf', title: 'doc', pageCount: 3, fileName: 'a.pdf', jpegThumbnail: rb(5), caption: 'c' } }],
  ['Message', { stickerMessage: { url: 'u', fileSha256: rb(32), fileEncSha256: rb(32), mediaKey: rb(32), mimetype: 'image/webp', height: 512, width: 512,
                                  directPath: '/p', fileLength: 1000, mediaKeyTimestamp: 5, isAnimated: true, pngThumbnail: rb(4), contextInfo: ctx } }],
  ['Message', { locationMessage: { degreesLatitude: 52.52, degreesLongitude: -13.405, name: 'n', address: 'a', url: 'u', isLive: false,
                                   accuracyInMeters: 5, comment: 'c', jpegThumbnail: rb(3), contextInfo: ctx } }],
  ['Message', { contactMessage: { displayName: 'Ann', vcard: 'BEGIN:VCARD\nEND:VCARD', contextInfo: ctx } }],
  ['Message', { contactsArrayMessage: { displayName: 'two', contacts: [{ displayName: 'A', vcard: 'v1' }, { displayName: 'B', vcard: 'v2' }], contextInfo: ctx } }],
  ['Message', { reactionMessage: { key, text: '👍', groupingKey: 'g', senderTimestampMs: 1711713012000 } }],
  ['Message', { protocolMessage: { key, type: 'REVOKE' } }],
  ['Message', { protocolMessage: { key, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'edited' }, timestampMs: 1711713012345 } }],
  ['Message', { protocolMessage: { type: 'EPHEMERAL_SETTING', ephemeralExpiration: 604800, ephemeralSettingTimestamp: 1711713012 } }],
  ['Message', { protocolMessage: { type: 'HISTORY_SYNC_NOTIFICATION', historySyncNotification: { fileSha256: rb(32), fileLength: 5000, mediaKey: rb(32),
      fileEncSha256: rb(32), directPath: '/h', syncType: 'INITIAL_BOOTSTRAP', chunkOrder: 1, originalMessageId: 'X', progress: 50,
      oldestMsgInChunkTimestampSec: 1700000000, initialHistBootstrapInlinePayload: rb(30), peerDataRequestSessionId: 's' } } }],
  ['Message', { protocolMessage: { type: 'APP_STATE_SYNC_KEY_SHARE', appStateSyncKeyShare: { keys: [{ keyId: { keyId: rb(6) },
      keyData: { keyData: rb(32), fingerprint: { rawId: 1, currentIndex: 2, deviceIndexes: [0, 1] }, timestamp: 1711713012 } }] } } }],
  ['Message', { senderKeyDistributionMessage: { groupId: '120363021234567890@g.us', axolotlSenderKeyDistributionMessage: rb(80) },
                conversation: 'group hello', messageContextInfo: { deviceListMetadataVersion: 2, messageSecret: rb(32), paddingBytes: rb(3) } }],
  ['Message', { deviceSentMessage: { destinationJid: '15557654321@s.whatsapp.net', message: { conversation: 'to them' }, phash: '2:abc' } }],
  ['Message', { ephemeralMessage: { message: { extendedTextMessage: { text: 'vanishing' } } } }],
  ['Message', { viewOnceMessageV2: { message: { imageMessage: { ...media, viewOnce: true } } } }],
  ['Message', { viewOnceMessage: { message: { videoMessage: { ...media } } } }],
  ['Message', { documentWithCaptionMessage: { message: { documentMessage: { ...media, caption: 'x' } } } }],
  ['Message', { editedMessage: { message: { protocolMessage: { key, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'e' } } } } }],
  ['WebMessageInfo', { key, message: { conversation: 'stored' }, messageTimestamp: 1711713012, status: 'READ', participant: 'p@s.whatsapp.net', pushName: 'Ann' }],
  ['HistorySync', { syncType: 'RECENT', chunkOrder: 2, progress: 80,
                    conversations: [{ id: '15551234567@s.whatsapp.net', messages: [{ message: { key, message: { conversation: 'old' }, messageTimestamp: 1 }, msgOrderId: 7 }],
                                      newJid: 'n', oldJid: 'o', lastMsgTimestamp: 9, unreadCount: 1, conversationTimestamp: 10, name: 'Chat', pnJid: 'pn', lidJid: 'l@lid' }],
                    statusV3Messages: [{ key, messageTimestamp: 3 }],
                    pushnames: [{ id: '1@s.whatsapp.net', pushname: 'One' }],
                    phoneNumberToLidMappings: [{ pnJid: '1@s.whatsapp.net', lidJid: '2@lid' }] }],
];

const typeOf = (name) => name.split('.').reduce((t, part) => t[part], proto);
// Enums in our JSON are names; Baileys' WebMessageInfo.status is an enum we keep as int32.
const objOpts = { longs: String, enums: String, bytes: String, defaults: false };
const batch = cases.map(([type, value], id) => {
  const T = typeOf(type);
  const bytes = T.encode(T.fromObject(value)).finish();
  // protobufjs drops keys it does not know: make sure every key of the case reached the bytes.
  const missing = (v, o, path) => (v && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Uint8Array) && typeof o === 'object'
    ? Object.keys(v).filter((k) => v[k] != null && !(Array.isArray(v[k]) && v[k].length === 0))
        .flatMap((k) => (o == null || !(k in o) ? [`${path}.${k}`] : missing(v[k], o[k], `${path}.${k}`)))
    : []);
  const lost = missing(value, T.toObject(T.decode(bytes), { longs: String, enums: String, bytes: String }), type);
  if (lost.length) throw new Error(`case ${id}: Baileys' schema dropped ${lost.join(', ')}`);
  return { id, type, T, bytes: Buffer.from(bytes) };
});
const input = batch.map((c) => JSON.stringify({ id: c.id, type: c.type, bytes: c.bytes.toString('hex') })).join('\n') + '\n';
const run = spawnSync(args.tool, [], { input, encoding: 'utf8' });
if (run.status !== 0) {
  console.error(`proto tool failed: ${run.stderr}`);
  process.exit(1);
}
const answers = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
let failures = 0;
const fail = (c, what, detail) => {
  failures++;
  console.error(`case ${c.id} (${c.type}): ${what}${detail ? `\n  ${detail}` : ''}`);
};
// Protobuf's JSON printer writes numeric enum values where the schema uses int32 (WebMessageInfo.status).
const normalise = (type, o) => {
  if (type === 'WebMessageInfo' && typeof o.status === 'string') o.status = proto.WebMessageInfo.Status[o.status];
  return o;
};
let fields = 0;
const countFields = (o) => (o && typeof o === 'object' ? Object.values(o).reduce((n, v) => n + 1 + countFields(v), 0) : 0);
for (const c of batch) {
  const a = answers[c.id];
  if (a.error) { fail(c, a.error); continue; }
  if (a.unknown !== 0) fail(c, `${a.unknown} fields unknown to our schema`);
  const theirs = normalise(c.type, c.T.toObject(c.T.decode(c.bytes), objOpts));
  fields += countFields(theirs);
  if (!isDeepStrictEqual(a.json, theirs)) {
    fail(c, 'our view differs from Baileys\'', `ours   ${JSON.stringify(a.json).slice(0, 800)}\n  theirs ${JSON.stringify(theirs).slice(0, 800)}`);
  }
  const back = normalise(c.type, c.T.toObject(c.T.decode(Buffer.from(a.reencoded, 'hex')), objOpts));
  if (!isDeepStrictEqual(back, theirs)) fail(c, 'Baileys decodes our re-serialization differently');
}
console.log(`${batch.length} messages, ${fields} fields compared: ${failures} failures`);
process.exit(failures ? 1 : 0);
