// Drives headless Chromium through chromedriver (the W3C WebDriver HTTP protocol, with Node's own
// fetch and child_process: no npm package) against the web console of a daemon the shell script
// started: a refused token shows an error, the pasted token connects, the account appears with its
// QR code, the simulated phone scans it and the console shows the session connected, a customer
// writes and the live feed shows the message; an agent answers and the traffic charts show the
// messages and the response time; the agent's load follows an assignment. Screenshots go to
// SCREENSHOT_DIR.
// Environment: ADMIN_URL, ADMIN_TOKEN, CONTROL (simulator), ACCOUNT, CUSTOMER, SCREENSHOT_DIR,
// CHROMIUM, CHROMEDRIVER, PROFILE_DIR.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const ADMIN_URL = env('ADMIN_URL');
const TOKEN = env('ADMIN_TOKEN');
const CONTROL = env('CONTROL');
const ACCOUNT = env('ACCOUNT');
const CUSTOMER = env('CUSTOMER');
const SHOTS = env('SCREENSHOT_DIR');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let driverUrl;
async function wd(method, path, body) {
  const r = await fetch(`${driverUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${r.status} ${JSON.stringify(j.value).slice(0, 400)}`);
  return j.value;
}

async function until(what, seconds, fn) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what} (last: ${JSON.stringify(last)})`);
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';  // the W3C web element identifier
let session;
const S = (path) => `/session/${session}${path}`;
const run = (script, ...args) => wd('POST', S('/execute/sync'), { script, args });
async function find(css) {
  const found = await wd('POST', S('/element'), { using: 'css selector', value: css });
  if (!found || !found[ELEMENT]) throw new Error(`no element ${css}: ${JSON.stringify(found)}`);
  return found[ELEMENT];
}
async function screenshot(name) {
  const png = await wd('GET', S('/screenshot'));
  const file = `${SHOTS}/${name}.png`;
  writeFileSync(file, Buffer.from(png, 'base64'));
  console.log(`screenshot: ${file}`);
}
async function typeInto(css, text) {
  const el = await find(css);
  await wd('POST', S(`/element/${el}/clear`), {});
  await wd('POST', S(`/element/${el}/value`), { text });
}
async function click(css) {
  await wd('POST', S(`/element/${await find(css)}/click`), {});
}
const accountRow = () => run(`
  const tr = document.querySelector('#accounts tr[data-account="${ACCOUNT}"]');
  if (!tr) return null;
  const img = tr.querySelector('img.qr');
  return { state: tr.children[1].textContent, device: tr.children[2].textContent,
           qrWidth: img && img.complete ? img.naturalWidth : 0 };`);
const errorsShown = () => run(`return document.getElementById('errors').textContent;`);

async function main() {
  const port = await freePort();
  driverUrl = `http://127.0.0.1:${port}`;
  const driver = spawn(env('CHROMEDRIVER'), [`--port=${port}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    await until('chromedriver', 30, async () => (await wd('GET', '/status')).ready);
    const created = await wd('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'chrome',
          'goog:chromeOptions': {
            binary: env('CHROMIUM'),
            args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
              '--window-size=1400,1100', `--user-data-dir=${env('PROFILE_DIR')}`],
          },
        },
      },
    });
    session = created.sessionId;
    console.log(`browser: ${created.capabilities.browserName} ${created.capabilities.browserVersion}`);

    await wd('POST', S('/url'), { url: `${ADMIN_URL}/console/` });
    const title = await wd('GET', S('/title'));
    if (title !== 'Switchboard console') throw new Error(`the page's title is "${title}"`);

    // A wrong token: refused, and the console says so.
    await typeInto('#token', 'sbt_not-a-token');
    await click('#connect');
    const refused = await until('the error of a wrong token', 15, async () => {
      const text = await errorsShown();
      return text.includes('401') ? text : null;
    });
    console.log(`PASS: a wrong token is refused on screen: ${refused.slice(0, 160)}`);

    // The real token: the account appears, pairing, with the QR image the API renders.
    await typeInto('#token', TOKEN);
    await click('#connect');
    const pairing = await until('the account with a QR code', 30, async () => {
      const row = await accountRow();
      return row && row.state === 'pairing' && row.qrWidth > 0 ? row : null;
    });
    console.log(`PASS: account ${ACCOUNT} shown pairing with a QR image ${pairing.qrWidth} px wide`);
    await screenshot('console-qr');
    if ((await errorsShown()).includes('401')) {
      // The old error is cleared by the successful connect.
      throw new Error(`the refused-token error is still shown: ${await errorsShown()}`);
    }

    // The phone scans the code the console shows (the same code the API serves).
    const qr = await (await fetch(`${ADMIN_URL}/v1/accounts/${ACCOUNT}/qr`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })).json();
    const scanned = await fetch(`${CONTROL}/v1/accounts/${ACCOUNT}/scan`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ qr: qr.code }),
    });
    if (!scanned.ok) throw new Error(`the simulated scan failed: ${scanned.status} ${await scanned.text()}`);
    const connected = await until('the session connected', 45, async () => {
      const row = await accountRow();
      return row && row.state === 'connected' ? row : null;
    });
    console.log(`PASS: the console shows ${ACCOUNT} connected as ${connected.device}`);
    await until('the live feed', 15, () => run(`return document.getElementById('feed-state').textContent === 'live';`));

    // A customer writes: the message arrives in the live feed and in the conversations.
    const sent = await fetch(`${CONTROL}/v1/accounts/${CUSTOMER}/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: `${ACCOUNT}@s.whatsapp.net`, text: 'hello from the browser test' }),
    });
    if (!sent.ok) throw new Error(`the customer could not send: ${sent.status} ${await sent.text()}`);
    const live = await until('message.received in the live feed', 45, () => run(`
      const li = [...document.querySelectorAll('#events li')].find((l) => l.textContent.includes('message.received'));
      return li ? li.textContent : null;`));
    console.log(`PASS: the live feed shows: ${live}`);
    const conversation = await until('the conversation in the list', 20, () => run(`
      const tr = [...document.querySelectorAll('#conversations tbody tr')]
        .find((r) => r.textContent.includes('${CUSTOMER}'));
      return tr ? tr.textContent : null;`));
    console.log(`PASS: the conversations list shows: ${conversation}`);
    await screenshot('console-live');

    // An agent with a capacity, and the conversation assigned to it: the agents table shows its load.
    const api = async (method, path, body) => {
      const r = await fetch(`${ADMIN_URL}${path}`, {
        method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    await api('POST', '/v1/agents', { id: 'ana', name: 'Ana', capacity: 3, status: 'available', skills: ['orders'] });
    const conversations = await api('GET', '/v1/conversations?limit=10');
    const mine = conversations.items.find((c) => c.peer.includes(CUSTOMER));
    if (!mine) throw new Error(`no conversation with ${CUSTOMER}: ${JSON.stringify(conversations)}`);
    await api('POST', `/v1/conversations/${encodeURIComponent(mine.id)}/assign`, { agent: 'ana' });
    const load = await until('the agent\'s load', 20, () => run(`
      const td = document.querySelector('#agents tr[data-agent="ana"] td.agent-load');
      return td && td.dataset.open === '1' && td.dataset.capacity === '3' ? td.textContent : null;`));
    console.log(`PASS: the agents table shows ana's load: ${load}`);

    // The agent answers: the charts show messages in and out, and a response time.
    await api('POST', '/v1/messages', { account: ACCOUNT, to: CUSTOMER, text: 'an agent answers' });
    const chart = await until('the messages chart with data', 30, () => run(`
      const svg = document.getElementById('chart-messages');
      const bars = [...svg.querySelectorAll('rect.bar-in, rect.bar-out')];
      const inBars = bars.filter((b) => b.classList.contains('bar-in') && Number(b.dataset.value) > 0);
      const outBars = bars.filter((b) => b.classList.contains('bar-out') && Number(b.dataset.value) > 0);
      return inBars.length > 0 && outBars.length > 0 && Number(svg.dataset.total) >= 2
        ? { total: svg.dataset.total, bars: bars.length, height: inBars[0].getBBox().height } : null;`));
    if (!(chart.height > 0)) throw new Error(`the bars have no height: ${JSON.stringify(chart)}`);
    console.log(`PASS: the messages-per-minute chart draws ${chart.bars} bars for ${chart.total} messages`);
    const responses = await until('a response time', 30, () => run(`
      const text = document.getElementById('responses-summary').textContent;
      return /^1 reply: median/.test(text) ? text : null;`));
    console.log(`PASS: the response-time summary says: ${responses}`);
    await run(`document.getElementById('traffic-section').scrollIntoView();`);
    await screenshot('console-charts');
  } finally {
    if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
    driver.kill('SIGTERM');
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(`FAIL: ${e.message}`);
  process.exit(1);
});
