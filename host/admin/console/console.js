// The Switchboard web console: plain JavaScript over the admin API (the same origin). The operator
// pastes a bearer token; it stays in this tab's sessionStorage and goes in the Authorization header
// (and as access_token on the event WebSocket, which browsers cannot give headers). Every failure is
// shown in the error bar with what was being done; nothing fails silently.
'use strict';

const state = { token: '', socket: null, timers: [], shownQr: new Map(), reconnect: null };
const $ = (id) => document.getElementById(id);

// ---- errors: one line per source, replaced by the next failure, cleared by the next success ----
const errors = new Map();
function showError(source, message) {
  errors.set(source, `${new Date().toLocaleTimeString()} ${source}: ${message}`);
  renderErrors();
}
function clearError(source) {
  if (errors.delete(source)) renderErrors();
}
function renderErrors() {
  const box = $('errors');
  box.replaceChildren(...[...errors.values()].map((text) => {
    const div = document.createElement('div');
    div.textContent = text;
    return div;
  }));
}

// ---- the API ----
async function api(method, path, body, accept) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accept) headers.Accept = accept;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new Error(`${method} ${path}: the daemon is unreachable (${e.message})`);
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const j = await response.json();
      if (j && j.error) message = `${response.status} ${j.error.code}: ${j.error.message}`;
    } catch (_) { /* not JSON: the status line says enough */ }
    const err = new Error(`${method} ${path}: ${message}`);
    err.status = response.status;
    throw err;
  }
  return response;
}
const getJson = async (path) => (await api('GET', path)).json();

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  return td;
}
function when(ms) {
  return ms ? new Date(ms).toLocaleString() : '';
}

// ---- accounts and QR codes ----
async function refreshAccounts() {
  let list;
  try {
    list = await getJson('/v1/accounts');
    clearError('accounts');
  } catch (e) {
    showError('accounts', e.message);
    return;
  }
  const body = $('accounts').tBodies[0];
  const rows = [];
  for (const a of list.items) {
    const s = a.session || {};
    const tr = document.createElement('tr');
    tr.dataset.account = a.id;
    tr.append(cell(a.id), cell(s.state || 'no session', `state-${s.state || 'none'}`), cell(s.jid), cell(s.detail));
    const qrCell = document.createElement('td');
    qrCell.className = 'qr-cell';
    tr.append(qrCell);
    rows.push(tr);
    if (s.state === 'pairing') {
      showQr(a.id, qrCell);
    } else {
      state.shownQr.delete(a.id);
    }
  }
  body.replaceChildren(...rows);
  $('accounts-empty').hidden = rows.length > 0;
}

// The QR code as the API renders it (PNG), fetched with the token and shown from a blob URL.
async function showQr(account, td) {
  const id = encodeURIComponent(account);
  try {
    const code = await getJson(`/v1/accounts/${id}/qr`);
    let shown = state.shownQr.get(account);
    if (!shown || shown.code !== code.code) {
      const png = await (await api('GET', `/v1/accounts/${id}/qr?format=png`, undefined, 'image/png')).blob();
      if (shown) URL.revokeObjectURL(shown.url);
      shown = { code: code.code, url: URL.createObjectURL(png) };
      state.shownQr.set(account, shown);
    }
    const img = document.createElement('img');
    img.className = 'qr';
    img.alt = `QR code to link ${account}`;
    img.src = shown.url;
    img.title = `expires ${when(code.expires_at)}`;
    td.replaceChildren(img);
    clearError(`QR of ${account}`);
  } catch (e) {
    // 409: the session left the pairing state between the two requests; the next refresh shows it.
    if (e.status !== 409) showError(`QR of ${account}`, e.message);
    td.textContent = e.status === 403 ? 'an admin token is needed to see QR codes' : '';
  }
}

// ---- conversations ----
async function refreshConversations() {
  const status = $('conversation-status').value;
  let page;
  try {
    page = await getJson(`/v1/conversations?limit=100${status ? `&status=${status}` : ''}`);
    clearError('conversations');
  } catch (e) {
    showError('conversations', e.message);
    return;
  }
  const rows = page.items.map((c) => {
    const tr = document.createElement('tr');
    tr.append(cell(c.id), cell(c.account), cell(c.peer), cell(c.status), cell(c.assignee), cell(when(c.last_message_at)));
    const actions = document.createElement('td');
    const assign = document.createElement('button');
    assign.className = 'small';
    assign.textContent = 'assign';
    assign.addEventListener('click', () => assignConversation(c.id));
    actions.append(assign);
    if (c.status !== 'closed') {
      const close = document.createElement('button');
      close.className = 'small';
      close.textContent = 'close';
      close.addEventListener('click', () => conversationCommand(c.id, 'close', {}));
      actions.append(' ', close);
    }
    tr.append(actions);
    return tr;
  });
  $('conversations').tBodies[0].replaceChildren(...rows);
}

async function assignConversation(id) {
  const agent = window.prompt(`Assign conversation ${id} to agent id:`);
  if (agent) await conversationCommand(id, 'assign', { agent });
}

async function conversationCommand(id, action, body) {
  try {
    await api('POST', `/v1/conversations/${encodeURIComponent(id)}/${action}`, body);
    clearError(`${action} ${id}`);
  } catch (e) {
    showError(`${action} ${id}`, e.message);
  }
  refreshConversations();
  refreshAgents();
}

// ---- agents ----
async function refreshAgents() {
  let page;
  try {
    page = await getJson('/v1/agents');
    clearError('agents');
  } catch (e) {
    showError('agents', e.message);
    return;
  }
  const rows = page.items.map((a) => {
    const tr = document.createElement('tr');
    const select = document.createElement('select');
    for (const s of ['available', 'busy', 'away', 'offline']) {
      const o = document.createElement('option');
      o.value = o.textContent = s;
      o.selected = s === a.status;
      select.append(o);
    }
    select.addEventListener('change', async () => {
      try {
        await api('PUT', `/v1/agents/${encodeURIComponent(a.id)}/status`, { status: select.value });
        clearError(`status of ${a.id}`);
      } catch (e) {
        showError(`status of ${a.id}`, e.message);
      }
      refreshAgents();
    });
    const statusCell = document.createElement('td');
    statusCell.append(select);
    tr.dataset.agent = a.id;
    tr.append(cell(a.id), cell(a.name), statusCell, cell((a.skills || []).join(', ')), loadCell(a));
    return tr;
  });
  $('agents').tBodies[0].replaceChildren(...rows);
}

// An agent's load: open conversations against capacity, as a bar and as figures.
function loadCell(a) {
  const open = a.open_conversations || 0;
  const capacity = a.capacity || 0;
  const ratio = capacity > 0 ? Math.min(1, open / capacity) : (open > 0 ? 1 : 0);
  const td = document.createElement('td');
  td.className = 'agent-load';
  td.dataset.open = open;
  td.dataset.capacity = capacity;
  const bar = document.createElement('span');
  bar.className = `load${ratio >= 1 ? ' full' : ratio >= 0.7 ? ' high' : ''}`;
  const fill = document.createElement('span');
  fill.style.width = `${Math.round(ratio * 100)}%`;
  bar.append(fill);
  td.append(bar, `${open} / ${capacity}`);
  return td;
}

// ---- traffic charts (inline SVG, drawn here: no chart library) ----
const SVG = 'http://www.w3.org/2000/svg';
function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}
// A round axis top at or above `max` (1, 2, 5 times a power of ten), and how many grid steps
// divide it into round values (5 of 0.2, 4 of 0.5, 5 of 1 times the power of ten).
function niceAxis(max, minTop) {
  const want = Math.max(max, minTop || 0);
  if (!(want > 0)) return { top: 1, steps: 4 };
  const p = 10 ** Math.floor(Math.log10(want));
  for (const m of [1, 2, 5, 10]) {
    if (m * p >= want) return { top: m * p, steps: m === 2 ? 4 : 5 };
  }
  return { top: 10 * p, steps: 5 };
}
function minuteLabel(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
// Bars per minute: `series` is [{key, className}], each minute's values side by side. The SVG
// keeps the figures in data- attributes (total and largest), for people and tests alike.
function drawBars(svg, minutes, series, format, minTop) {
  const W = 600, H = 180, left = 44, right = 8, top = 10, bottom = 22;
  const plotW = W - left - right, plotH = H - top - bottom;
  let max = 0, total = 0;
  for (const m of minutes) for (const s of series) { max = Math.max(max, m[s.key]); total += m[s.key]; }
  const axis = niceAxis(max, minTop);
  const top_ = axis.top;
  const children = [];
  for (let i = 0; i <= axis.steps; i++) {
    const y = top + plotH - (plotH * i) / axis.steps;
    children.push(svgEl('line', { class: 'grid', x1: left, x2: W - right, y1: y, y2: y }));
    children.push(svgEl('text', { x: left - 4, y: y + 4, 'text-anchor': 'end' }, format((top_ * i) / axis.steps)));
  }
  const slot = plotW / Math.max(1, minutes.length);
  const barW = Math.max(1, (slot * 0.8) / series.length);
  minutes.forEach((m, i) => {
    series.forEach((s, j) => {
      const v = m[s.key];
      if (!(v > 0)) return;
      const h = (plotH * v) / top_;
      const rect = svgEl('rect', { class: s.className, x: left + i * slot + slot * 0.1 + j * barW, y: top + plotH - h,
        width: barW, height: h, 'data-value': v });
      rect.append(svgEl('title', {}, `${minuteLabel(m.start)} ${s.key}: ${format(v)}`));
      children.push(rect);
    });
    const every = Math.ceil(minutes.length / 6);
    if (i % every === 0) {
      children.push(svgEl('text', { x: left + i * slot + slot / 2, y: H - 6, 'text-anchor': 'middle' }, minuteLabel(m.start)));
    }
  });
  children.push(svgEl('line', { class: 'axis', x1: left, x2: W - right, y1: top + plotH, y2: top + plotH }));
  if (total === 0) {
    children.push(svgEl('text', { x: left + plotW / 2, y: top + plotH / 2, 'text-anchor': 'middle' }, 'nothing yet'));
  }
  svg.replaceChildren(...children);
  svg.dataset.total = total;
  svg.dataset.max = max;
}
function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120000) return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}
async function refreshStats() {
  let stats;
  try {
    stats = await getJson(`/v1/stats/messages?minutes=${$('stats-minutes').value}`);
    clearError('traffic');
  } catch (e) {
    showError('traffic', e.message);
    return;
  }
  drawBars($('chart-messages'), stats.minutes,
    [{ key: 'in', className: 'bar-in' }, { key: 'out', className: 'bar-out' }], (v) => String(Math.round(v)), 4);
  drawBars($('chart-responses'), stats.minutes, [{ key: 'response_avg_ms', className: 'bar-response' }],
    (v) => (v === 0 ? '0' : duration(v)));
  const r = stats.responses;
  const part = (name, s) => (s.count ? `${name}: ${s.count}, average ${duration(s.avg_ms)}` : `${name}: none`);
  $('responses-summary').textContent = r.count
    ? `${r.count} ${r.count === 1 ? 'reply' : 'replies'}: median ${duration(r.p50_ms)}, 90% within ${duration(r.p90_ms)}, slowest ${duration(r.max_ms)}. ` +
      `${part('bots', r.automatic)}; ${part('agents', r.agent)}.${stats.truncated ? ' (busiest part of the window only)' : ''}`
    : 'No replies in this window yet.';
}
// Message events come in bursts: one refresh of the charts per second at most.
let statsQueued = null;
function statsSoon() {
  if (statsQueued === null) statsQueued = setTimeout(() => { statsQueued = null; refreshStats(); }, 1000);
}

// ---- the live event feed ----
function openFeed() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/v1/events?access_token=${encodeURIComponent(state.token)}`;
  const socket = new WebSocket(url);
  state.socket = socket;
  $('feed-state').textContent = 'connecting';
  socket.addEventListener('open', () => {
    $('feed-state').textContent = 'live';
    $('feed-state').className = 'status ok';
    clearError('event feed');
  });
  socket.addEventListener('message', (m) => {
    let e;
    try {
      e = JSON.parse(m.data);
    } catch (err) {
      showError('event feed', `an event that is not JSON: ${err.message}`);
      return;
    }
    addEvent(e);
    if (e.type && e.type.startsWith('session.')) refreshAccounts();
    if (e.type && (e.type.startsWith('conversation.') || e.type.startsWith('message.'))) refreshConversations();
    if (e.type && e.type.startsWith('message.')) statsSoon();
    if (e.type && e.type.startsWith('conversation.')) refreshAgents();
    if (e.type && e.type.startsWith('agent.')) refreshAgents();
  });
  socket.addEventListener('close', (c) => {
    if (state.socket !== socket) return;  // replaced or disconnected on purpose
    $('feed-state').textContent = 'closed';
    $('feed-state').className = 'status bad';
    showError('event feed', `closed (code ${c.code}${c.reason ? `: ${c.reason}` : ''}); reconnecting in 3 s`);
    state.reconnect = setTimeout(openFeed, 3000);
  });
}

function addEvent(e) {
  const li = document.createElement('li');
  const type = document.createElement('span');
  type.className = 'type';
  type.textContent = e.type;
  const attrs = e.attributes ? Object.entries(e.attributes).filter(([k]) => k !== 'qr' && k !== 'code') : [];
  const text = [e.account && `account=${e.account}`, e.conversation && `conversation=${e.conversation}`,
    e.subject && `subject=${e.subject}`, ...attrs.map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(' ');
  li.append(`${e.timestamp ? new Date(e.timestamp).toLocaleTimeString() : ''} `, type, ` ${text}`);
  const list = $('events');
  list.prepend(li);
  while (list.children.length > 300) list.lastChild.remove();
}

// ---- connecting with a token ----
async function connect(token) {
  disconnect();
  state.token = token.trim();
  if (!state.token) {
    showError('token', 'paste a token first');
    return;
  }
  try {
    await getJson('/v1/plugins');  // any authenticated read: checks the token before anything else
  } catch (e) {
    $('status').textContent = 'token refused';
    $('status').className = 'status bad';
    showError('token', e.message);
    return;
  }
  clearError('token');
  sessionStorage.setItem('switchboard.token', state.token);
  $('status').textContent = 'connected';
  $('status').className = 'status ok';
  openFeed();
  refreshAccounts();
  refreshConversations();
  refreshAgents();
  refreshStats();
  state.timers.push(setInterval(refreshAccounts, 2000), setInterval(refreshConversations, 5000),
    setInterval(refreshAgents, 5000), setInterval(refreshStats, 10000));
}

function disconnect() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  clearTimeout(state.reconnect);
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close();
  $('status').textContent = 'not connected';
  $('status').className = 'status';
  $('feed-state').textContent = 'closed';
  $('feed-state').className = 'status';
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    connect($('token').value);
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem('switchboard.token');
    $('token').value = '';
    disconnect();
  });
  $('conversation-status').addEventListener('change', refreshConversations);
  $('stats-minutes').addEventListener('change', refreshStats);
  // A token in the fragment (#token=...) is taken and removed from the address bar at once.
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl) history.replaceState(null, '', location.pathname);
  const saved = fromUrl || sessionStorage.getItem('switchboard.token');
  if (saved) {
    $('token').value = saved;
    connect(saved);
  }
});
