// Cross-check of our binary node codec against Baileys' (an independent implementation).
// Random node trees, seeded, covering every token class, packed strings, JID forms, list sizes and
// binary length classes, go both ways:
//   A. our encoding, decoded by Baileys, gives the tree back;
//   B. Baileys' encoding, decoded by us, gives the tree back;
//   and both encodings are byte-identical wherever Baileys can express the value.
// Usage: node --experimental-global-webcrypto codec-crosscheck.mjs --tool <codec tool> --dict 2|3
//        [--cases N] [--seed S]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { deflateSync } from 'node:zlib';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const dictVersion = Number(args.dict ?? 3);
const cases = Number(args.cases ?? 3000);
const seed = Number(args.seed ?? 1);

let baileys;
try {
  if (dictVersion === 3) {
    const constants = await import('baileys/lib/WABinary/constants.js');
    const enc = await import('baileys/lib/WABinary/encode.js');
    const dec = await import('baileys/lib/WABinary/decode.js');
    baileys = { constants, encode: (n) => enc.encodeBinaryNode(n, constants, []),
                decode: (b) => dec.decodeDecompressedBinaryNode(b, constants),
                decodeFrame: (f) => dec.decodeBinaryNode(f) };
  } else {
    const require = createRequire(import.meta.url);
    const constants = require('baileys6/lib/WABinary/constants.js');
    const enc = require('baileys6/lib/WABinary/encode.js');
    const dec = require('baileys6/lib/WABinary/decode.js');
    baileys = { constants, encode: (n) => enc.encodeBinaryNode(n, constants, []),
                decode: (b) => dec.decodeDecompressedBinaryNode(b, constants),
                decodeFrame: (f) => dec.decodeBinaryNode(f) };
  }
} catch (e) {
  console.error(`Baileys is not installed (npm ci in tests/node): ${e.message}; skipping`);
  process.exit(77);
}
const { SINGLE_BYTE_TOKENS, DOUBLE_BYTE_TOKENS } = baileys.constants;

// --- seeded PRNG (mulberry32) -------------------------------------------------------------------
let state = seed >>> 0;
const rand = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[int(0, xs.length - 1)];
const chance = (p) => rand() < p;

// --- string classes -----------------------------------------------------------------------------
// Baileys looks tokens up in a plain object, so names of Object.prototype members are mis-encoded
// by it; those are not interesting protocol strings and are left out.
const protoNames = new Set(Object.getOwnPropertyNames(Object.prototype));
const tokenSet = new Set([...SINGLE_BYTE_TOKENS, ...DOUBLE_BYTE_TOKENS.flat()]);
const digits = (n) => Array.from({ length: n }, () => String(int(0, 9))).join('');
const fromAlphabet = (alphabet, n) => Array.from({ length: n }, () => alphabet[int(0, alphabet.length - 1)]).join('');
const packedLength = () => pick([1, 2, 3, int(1, 20), int(1, 127), 126, 127, 128, 129]);
// Long values are rationed (one per tree, in a few trees) to keep a run fast and small.
let bigBudget = 0;
const rawLength = () => {
  const r = rand();
  if (bigBudget > 0 && r < 0.3) {
    bigBudget--;
    return pick([65535, 65536, (1 << 20) - 1, 1 << 20]); // BINARY_20 / BINARY_32 boundary
  }
  if (r < 0.7) return int(1, 40);
  if (r < 0.97) return pick([255, 256, 257, int(200, 600)]);
  return int(600, 5000);
};
const plainAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:/+=.,!?éß€漢';
const rawString = (n = rawLength()) => {
  for (;;) {
    const s = fromAlphabet(plainAlphabet, n);
    if (!tokenSet.has(s) && !protoNames.has(s) && !/^[0-9.-]+$/.test(s) && !/^[0-9A-F]+$/.test(s)) return s;
  }
};
const user = () => (chance(0.5) ? digits(int(5, 15)) : pick([digits(int(1, 20)), rawString(int(1, 12)).replace(/[@:_]/g, 'x')]));
// JID forms; `lossy` marks what Baileys' own encoder cannot express (it only writes JID_PAIR and
// AD_JID), `agent` what Baileys' decoder renders without the agent.
const jidForms = [
  () => ({ s: `${user()}@s.whatsapp.net` }),
  () => ({ s: `${user()}:${int(1, 255)}@s.whatsapp.net` }),
  () => ({ s: `${digits(int(8, 15))}-${digits(10)}@g.us` }),
  () => ({ s: `${digits(18)}@g.us` }),
  () => ({ s: `${user()}@lid` }),
  () => ({ s: `${user()}:${int(1, 255)}@lid` }),
  () => ({ s: `${user()}:${int(1, 255)}@hosted`, v3: true }),
  () => ({ s: `${user()}:${int(1, 255)}@hosted.lid`, v3: true }),
  () => ({ s: pick(['status@broadcast', `${digits(10)}@broadcast`]) }),
  () => ({ s: pick(['@s.whatsapp.net', '@g.us', '@lid', '@broadcast', '@newsletter']) }),
  () => ({ s: `${digits(18)}@newsletter` }),
  () => ({ s: `${user()}@c.us` }),
  () => ({ s: `${user()}_${pick([2, 5, 7, 64, 130])}:${int(1, 255)}@s.whatsapp.net`, agent: true, v3: true }),
  () => ({ s: `${user()}:${int(0, 65535)}@msgr`, lossy: true, v3: true }),
  () => ({ s: `${int(0, 65535)}-${user()}:${int(0, 65535)}@interop`, lossy: true, v3: true }),
];
// Baileys 6 (dictionary 2) predates hosted, agent, msgr and interop JIDs: it cannot decode them.
const jidFormsForDict = dictVersion === 3 ? jidForms : jidForms.filter((f) => !f().v3);
const stringClasses = [
  () => ({ s: SINGLE_BYTE_TOKENS[int(1, SINGLE_BYTE_TOKENS.length - 1)] }),
  () => ({ s: pick(DOUBLE_BYTE_TOKENS)[int(0, 255)] }),
  () => ({ s: fromAlphabet('0123456789-.', packedLength()) }),
  () => ({ s: fromAlphabet('0123456789ABCDEF', packedLength()) }),
  () => pick(jidFormsForDict)(),
  () => ({ s: rawString() }),
  () => ({ s: '' }),
];
const flags = { lossy: false, agent: false };
const str = () => {
  let v = pick(stringClasses)();
  // One tree holds either kind of inexpressible JID, never both, so each check has one reference.
  while ((v.agent && flags.lossy) || (v.lossy && flags.agent)) v = pick(stringClasses)();
  if (v.lossy) flags.lossy = true;
  if (v.agent) flags.agent = true;
  return v.s;
};
const bytesHex = (n) => Buffer.from(Array.from({ length: n }, () => int(0, 255))).toString('hex');

// --- trees --------------------------------------------------------------------------------------
const genNode = (depth) => {
  const tag = chance(0.7) ? pick([SINGLE_BYTE_TOKENS[int(1, SINGLE_BYTE_TOKENS.length - 1)], pick(DOUBLE_BYTE_TOKENS)[int(0, 255)]]) : str() || 'x';
  let attrCount = chance(0.97) ? int(0, 6) : pick([127, 128]); // list sizes 255/256/257 with content
  const attrs = {};
  for (let i = 0; i < attrCount; i++) {
    let k = str();
    if (!k) k = `k${i}`;
    attrs[k] = str();
  }
  let content = null;
  const r = rand();
  if (r < 0.25) content = null;
  else if (r < 0.45) content = { bytes: bytesHex(rawLength() * (chance(0.1) ? 0 : 1)) };
  else if (r < 0.65) content = { text: str() };
  else if (depth < 4) {
    const n = chance(0.95) ? int(0, 5) : pick([255, 256]);
    const leafOnly = n > 5;
    content = { list: Array.from({ length: n }, () => (leafOnly ? { tag: 'x', attrs: [], content: null } : genNode(depth + 1))) };
  }
  return { tag, attrs: Object.entries(attrs), content };
};

// Baileys' node shape <-> ours (JSON-friendly: bytes as hex).
const toBaileys = (t) => ({
  tag: t.tag,
  attrs: Object.fromEntries(t.attrs),
  content: t.content === null ? undefined
    : 'bytes' in t.content ? Buffer.from(t.content.bytes, 'hex')
    : 'text' in t.content ? t.content.text
    : t.content.list.map(toBaileys),
});
const fromBaileys = (n) => ({
  tag: n.tag,
  attrs: Object.entries(n.attrs),
  content: n.content === undefined ? null
    : Buffer.isBuffer(n.content) || n.content instanceof Uint8Array ? { bytes: Buffer.from(n.content).toString('hex') }
    : typeof n.content === 'string' ? { text: n.content }
    : { list: n.content.map(fromBaileys) },
});
// Text that a codec writes as raw bytes comes back as bytes: compare content by its bytes.
const canon = (t) => ({
  tag: t.tag,
  attrs: [...t.attrs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
  content: t.content === null ? null
    : 'list' in t.content ? { list: t.content.list.map(canon) }
    : { bytes: 'bytes' in t.content ? t.content.bytes : Buffer.from(t.content.text, 'utf8').toString('hex') },
});
const same = (a, b) => isDeepStrictEqual(canon(a), canon(b));

// --- run ----------------------------------------------------------------------------------------
const batch = [];
for (let id = 0; id < cases; id++) {
  flags.lossy = false;
  flags.agent = false;
  bigBudget = chance(0.015) ? 1 : 0;
  const tree = genNode(0);
  const baileysBytes = baileys.encode(toBaileys(tree));
  // Every eighth case also travels as a compressed frame (flags 0x02, zlib), decoded by both sides.
  const frame = id % 8 === 0 ? Buffer.concat([Buffer.from([2]), deflateSync(baileysBytes)]) : undefined;
  batch.push({ id, tree, baileysBytes, frame, lossy: flags.lossy, agent: flags.agent });
}
const input = batch.map((c) => JSON.stringify({ id: c.id, dict: dictVersion, tree: c.tree, bytes: c.baileysBytes.toString('hex'),
                                                ...(c.frame ? { frame: c.frame.toString('hex') } : {}) })).join('\n') + '\n';
const t0 = Date.now();
const run = spawnSync(args.tool, [], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
if (run.status !== 0) {
  console.error(`codec tool failed (${run.status}): ${run.stderr}`);
  process.exit(1);
}
console.log(`tool: ${Date.now() - t0} ms`);
const answers = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
if (answers.length !== batch.length) {
  console.error(`codec tool answered ${answers.length} of ${batch.length} cases`);
  process.exit(1);
}

let failures = 0;
const stats = { identicalBytes: 0, lossy: 0, agent: 0, bytesTotal: 0, frames: 0 };
const fail = (c, what, detail) => {
  failures++;
  if (failures <= 10) {
    console.error(`case ${c.id} (seed ${seed}, dict ${dictVersion}): ${what}`);
    console.error(`  tree: ${JSON.stringify(c.tree).slice(0, 600)}`);
    if (detail) console.error(`  ${String(detail).slice(0, 600)}`);
  }
};
for (const c of batch) {
  const a = answers[c.id];
  stats.lossy += c.lossy;
  stats.agent += c.agent;
  stats.bytesTotal += c.baileysBytes.length;
  if (a.encodeError) { fail(c, 'our encoder failed', a.encodeError); continue; }
  if (a.decodeError) { fail(c, "our decoder rejected Baileys' bytes", a.decodeError); continue; }
  const ours = Buffer.from(a.encoded, 'hex');
  // A: Baileys decodes our bytes to the tree (or, for agents it cannot render, to what it makes of its own bytes).
  let seenByBaileys;
  try {
    seenByBaileys = fromBaileys(baileys.decode(ours));
  } catch (e) {
    fail(c, 'Baileys could not decode our bytes', e.message);
    continue;
  }
  const baileysSelf = fromBaileys(baileys.decode(c.baileysBytes));
  if (!same(seenByBaileys, c.agent ? baileysSelf : c.tree)) {
    fail(c, 'Baileys decodes our encoding differently', JSON.stringify(seenByBaileys).slice(0, 600));
  }
  // B: we decode Baileys' bytes as Baileys does (where Baileys drops an agent, we keep it: to the tree).
  if (!same(a.decoded, c.agent ? c.tree : baileysSelf)) {
    fail(c, "we decode Baileys' encoding differently", JSON.stringify(a.decoded).slice(0, 600));
  }
  if (c.frame) {
    stats.frames++;
    const baileysFrame = fromBaileys(await baileys.decodeFrame(c.frame));
    if (a.frameError) fail(c, 'our decoder rejected the compressed frame', a.frameError);
    else if (!same(a.frameDecoded, c.agent ? c.tree : baileysFrame)) fail(c, 'we decode the compressed frame differently', JSON.stringify(a.frameDecoded).slice(0, 600));
  }
  if (ours.equals(c.baileysBytes)) {
    stats.identicalBytes++;
  } else if (!c.lossy && dictVersion === 3) {
    // Baileys 6 writes "" as the empty token 0x00 where Baileys 7 and we write BINARY_8 0;
    // both decode alike, so byte identity is required for dictionary 3 only.
    fail(c, 'encodings differ', `ours ${a.encoded.slice(0, 200)}\n  theirs ${c.baileysBytes.toString('hex').slice(0, 200)}`);
  }
}
console.log(`dict ${dictVersion}, seed ${seed}: ${cases} trees, ${stats.bytesTotal} bytes; ` +
            `${stats.identicalBytes} byte-identical encodings, ${stats.lossy} with msgr/interop JIDs, ${stats.agent} with agents, ` +
            `${stats.frames} compressed frames; ` +
            `${failures} failures`);
process.exit(failures ? 1 : 0);
