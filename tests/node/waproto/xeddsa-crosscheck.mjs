// XEdDSA against Baileys' signal library (npm libsignal / curve25519-js, an independent
// implementation): its signatures verify with ours, ours verify with its verifySignature (called
// directly: Baileys' own wrapper ignores the result), and forgeries fail on our side.
// Usage: node --experimental-global-webcrypto xeddsa-crosscheck.mjs --tool <xeddsa tool> [--cases N] [--seed S]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const cases = Number(args.cases ?? 200);
let curve;
try {
  curve = createRequire(import.meta.url)('libsignal/src/curve.js');
} catch (e) {
  console.error(`libsignal (Baileys' dependency) is not installed: ${e.message}; skipping`);
  process.exit(77);
}

// The ADV and certificate messages have these shapes; random ones of random length fill the rest.
const message = (i) => (i % 3 === 0 ? Buffer.concat([Buffer.from([6, 0]), randomBytes(40), randomBytes(32)])
  : i % 3 === 1 ? Buffer.concat([Buffer.from([5]), randomBytes(32)]) : randomBytes(1 + (i % 300)));
const work = [];
for (let i = 0; i < cases; i++) {
  const kp = curve.generateKeyPair(); // 33-byte public (0x05 prefix), 32-byte private, as Baileys gets them
  const pub = kp.pubKey.subarray(1);
  const msg = message(i);
  const theirs = curve.calculateSignature(kp.privKey, msg);
  const forged = Buffer.from(theirs);
  forged[i % 64] ^= 1 << (i % 8);
  work.push({ pub, pub33: kp.pubKey, priv: kp.privKey, msg, theirs, forged, junk: randomBytes(64) });
}
const lines = [];
work.forEach((w, i) => {
  lines.push({ id: `${i}:theirs`, op: 'verify', pub: w.pub.toString('hex'), msg: w.msg.toString('hex'), sig: w.theirs.toString('hex') });
  lines.push({ id: `${i}:forged`, op: 'verify', pub: w.pub.toString('hex'), msg: w.msg.toString('hex'), sig: w.forged.toString('hex') });
  lines.push({ id: `${i}:junk`, op: 'verify', pub: w.pub.toString('hex'), msg: w.msg.toString('hex'), sig: w.junk.toString('hex') });
  lines.push({ id: `${i}:sign`, op: 'sign', priv: w.priv.toString('hex'), msg: w.msg.toString('hex') });
});
const run = spawnSync(args.tool, [], { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n', encoding: 'utf8' });
if (run.status !== 0) {
  console.error(`xeddsa tool failed: ${run.stderr}`);
  process.exit(1);
}
const answers = Object.fromEntries(run.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((a) => [a.id, a]));
let failures = 0;
const fail = (what) => {
  failures++;
  if (failures <= 10) console.error(what);
};
work.forEach((w, i) => {
  if (answers[`${i}:theirs`].ok !== true) fail(`case ${i}: we reject a libsignal signature`);
  if (answers[`${i}:forged`].ok !== false) fail(`case ${i}: we accept a signature with a flipped bit`);
  if (answers[`${i}:junk`].ok !== false) fail(`case ${i}: we accept 64 random bytes`);
  const ours = Buffer.from(answers[`${i}:sign`].sig, 'hex');
  if (curve.verifySignature(w.pub33, w.msg, ours) !== true) fail(`case ${i}: libsignal rejects our signature`);
  const bad = Buffer.from(ours);
  bad[(i * 7) % 64] ^= 1 << (i % 8);
  if (curve.verifySignature(w.pub33, w.msg, bad) !== false) fail(`case ${i}: libsignal accepts our signature with a flipped bit`);
});
console.log(`${cases} key pairs: libsignal -> us, us -> libsignal, forgeries: ${failures} failures`);
process.exit(failures ? 1 : 0);
