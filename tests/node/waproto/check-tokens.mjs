// Checks that the token tables compiled into our codec are the ones Baileys ships (dictionary 2
// from Baileys 6, dictionary 3 from Baileys 7). Usage: node check-tokens.mjs <protocol dir>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const protocolDir = process.argv[2];
const tmp = mkdtempSync(join(tmpdir(), 'sb-tokens-'));
try {
  try {
    execFileSync(process.execPath, [join(here, 'gen-tokens.mjs'), tmp], { stdio: ['ignore', 'inherit', 'pipe'] });
  } catch (e) {
    if (String(e.stderr).includes('ERR_MODULE_NOT_FOUND')) {
      console.error('Baileys is not installed (npm ci in tests/node): skipping');
      process.exit(77);
    }
    throw e;
  }
  let failed = false;
  for (const v of [2, 3]) {
    const want = readFileSync(join(tmp, `tokens_v${v}.inc`), 'utf8');
    const have = readFileSync(join(protocolDir, `tokens_v${v}.inc`), 'utf8');
    if (want !== have) {
      console.error(`tokens_v${v}.inc differs from Baileys' dictionary ${v}`);
      failed = true;
    } else {
      console.log(`tokens_v${v}.inc matches Baileys' dictionary ${v}`);
    }
  }
  process.exit(failed ? 1 : 0);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
