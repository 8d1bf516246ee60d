// lanlord web page: one page, no framework, no build step.
//
// Security rule for this file: every string that comes from the daemon (query
// names, answers, client names, file paths, error texts) is attacker-controlled
// text. It only ever reaches the page through textContent, setAttribute on
// plain attributes, or createElementNS for the chart; never through innerHTML
// or anything that parses markup. The server's Content-Security-Policy also
// forbids inline scripts and style attributes, so styles are set through
// classes or element.style from here.
'use strict';

(function () {

// ---------------------------------------------------------------------------
// Constants

// The ten query outcomes, in the order the chart stacks them (bottom first).
const OUTCOMES = ['cached', 'forwarded', 'recursive', 'local', 'blocked',
                  'stale', 'failed', 'refused', 'invalid', 'dropped'];

const PAGES = ['dashboard', 'querylog', 'clients', 'lists', 'compare', 'settings'];

const PRIVACY_TEXT = {
  show_all: 'Every query is logged with its client, name and answer.',
  hide_names: 'Names and answers are not logged; clients are.',
  hide_clients: 'Neither clients nor names and answers are logged.',
  off: 'Nothing is logged or counted.',
};

const REFRESH_MS = 5000;        // dashboard and query log
const BENCH_POLL_MS = 2000;     // benchmark while it runs
const RETRY_MS = 5000;          // daemon unreachable
const REQUEST_TIMEOUT_MS = 30000;
const SVG_NS = 'http://www.w3.org/2000/svg';

// ---------------------------------------------------------------------------
// State

let csrf = null;                // CSRF token, only in memory (from /api/session or /api/login)
let privacy = '';
let loggedIn = false;
let currentPage = null;
let pageTimer = null;           // setInterval of the visible page
let benchTimer = null;          // setTimeout while a benchmark runs
let retryTimer = null;          // setTimeout while the daemon cannot be reached
let toastTimer = null;
let lastDashboard = null;       // for redrawing the chart on resize
let lastQuerylogKey = '';       // skip re-rendering identical query log data
const busy = {};                // page name -> a refresh is in flight
// Filters the query log was last asked with (the inputs may be mid-edit).
let qlFilter = {client: '', name: '', type: '', outcome: '', limit: '200'};

// ---------------------------------------------------------------------------
// Small DOM helpers

const $ = (id) => document.getElementById(id);

// el('td', {class: 'x', 'data-field': 'name', text: value}, child, ...)
// Attribute values are set with setAttribute (never parsed as markup);
// `text` becomes textContent. Children are nodes or strings (text nodes).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const c of children) {
    if (c == null) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

function setAttrs(node, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k.startsWith('on')) throw new Error('no event attributes');
    else node.setAttribute(k, v === true ? '' : String(v));
  }
}

// An SVG element with attributes (no text unless given as `text`).
function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  return node;
}

function setText(id, text) { $(id).textContent = text; }

// Replaces a tbody's rows; an empty list gives one row with `emptyText`.
function fillTable(table, rows, emptyText) {
  const tbody = table.tBodies[0];
  if (rows.length === 0) {
    const cols = table.tHead ? table.tHead.rows[0].cells.length : 1;
    rows = [el('tr', {class: 'empty'}, el('td', {colspan: cols, text: emptyText}))];
  }
  tbody.replaceChildren(...rows);
}

// Replaces a list's items; an empty list gives one muted item.
function fillList(list, items, emptyText) {
  if (items.length === 0) items = [el('li', {class: 'empty', text: emptyText})];
  list.replaceChildren(...items);
}

// ---------------------------------------------------------------------------
// Formatting

const intFormat = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});

function fmtInt(n) {
  return typeof n === 'number' && isFinite(n) ? intFormat.format(n) : '–';
}

// Milliseconds: 0.08 ms, 4.2 ms, 120 ms, 1.5 s.
function fmtMs(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '–';
  if (ms >= 1000) return (ms / 1000).toFixed(ms >= 10000 ? 0 : 1) + ' s';
  if (ms >= 100) return ms.toFixed(0) + ' ms';
  if (ms >= 10) return ms.toFixed(1) + ' ms';
  if (ms >= 1) return ms.toFixed(2) + ' ms';
  return Math.round(ms * 1000) + ' µs';  // cached and local answers take microseconds
}

function fmtPercent(ratio, digits) {
  if (typeof ratio !== 'number' || !isFinite(ratio)) return '–';
  return (ratio * 100).toFixed(digits == null ? 1 : digits) + ' %';
}

// A duration in seconds: 45 s, 12 min, 3 h 5 min, 2 d 4 h.
function fmtDuration(s) {
  if (typeof s !== 'number' || !isFinite(s)) return '–';
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min';
  const h = Math.floor(m / 60);
  if (h < 24) return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
  const d = Math.floor(h / 24);
  return d + ' d' + (h % 24 ? ' ' + (h % 24) + ' h' : '');
}

const pad2 = (n) => String(n).padStart(2, '0');

// Local time HH:MM:SS.
function fmtTime(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '–';
  const d = new Date(ms);
  return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
}

// Local HH:MM (chart axis).
function fmtHourMinute(ms) {
  const d = new Date(ms);
  return pad2(d.getHours()) + ':' + pad2(d.getMinutes());
}

// Local date and time, YYYY-MM-DD HH:MM:SS (titles, times not from today).
function fmtDateTime(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '–';
  const d = new Date(ms);
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + fmtTime(ms);
}

// HH:MM:SS for today, else the date as well.
function fmtWhen(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '–';
  return new Date(ms).toDateString() === new Date().toDateString() ? fmtTime(ms) : fmtDateTime(ms);
}

const str = (v) => (v == null ? '' : String(v));
const arr = (v) => (Array.isArray(v) ? v : []);
const num = (v) => (typeof v === 'number' && isFinite(v) ? v : 0);
// Only known outcomes become class names.
const outcomeClass = (o) => (OUTCOMES.includes(o) ? 'o-' + o : 'o-unknown');

// ---------------------------------------------------------------------------
// API access

class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.status = status;   // 0: the daemon could not be reached
    this.data = data || {};
  }
}

// Calls /api/<path>. Returns `result` of {"ok":true,"result":...}; throws
// ApiError otherwise. A 401 returns to the login form unless opts.login.
async function api(method, path, body, opts) {
  opts = opts || {};
  const headers = {'Accept': 'application/json'};
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrf) headers['X-CSRF-Token'] = csrf;
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  // A request that hangs counts as "unreachable" (and frees the page's refresh loop).
  const abort = new AbortController();
  init.signal = abort.signal;
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  let response;
  let data = null;
  try {
    response = await fetch(path, init);
    try { data = await response.json(); } catch (e) { data = null; }
  } catch (e) {
    daemonUnreachable();
    throw new ApiError(0, 'Cannot reach the lanlord daemon.');
  } finally {
    clearTimeout(timer);
  }
  daemonReachable();
  if (response.status === 401 && !opts.login) {
    showLogin();
    throw new ApiError(401, (data && data.error) || 'log in first', data);
  }
  const failed = !response.ok || (data && typeof data === 'object' && data.ok === false);
  if (failed) {
    const message = (data && typeof data.error === 'string' && data.error) ||
                    ('HTTP ' + response.status + ' ' + response.statusText);
    throw new ApiError(response.status, message, data);
  }
  // The contract wraps results as {"ok":true,"result":...}; accept a bare object too.
  // Never undefined on success: withButton() takes undefined as "failed".
  if (data && typeof data === 'object' && 'ok' in data) return data.result === undefined ? null : data.result;
  return data === undefined ? null : data;
}

const apiGet = (path, opts) => api('GET', path, undefined, opts);
const apiPost = (path, body, opts) => api('POST', path, body, opts);

// ---------------------------------------------------------------------------
// Banner (daemon unreachable) and toast

function daemonUnreachable() {
  $('banner').hidden = false;
  if (retryTimer) return;
  retryTimer = setTimeout(retryConnection, RETRY_MS);
}

function daemonReachable() {
  if ($('banner').hidden) return;
  $('banner').hidden = true;
  if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
}

// Asks /api/session until the daemon answers, then shows the page again.
async function retryConnection() {
  retryTimer = null;
  try {
    const session = await apiGet('/api/session');
    acceptSession(session);
    if (!loggedIn) showApp(); else refreshPage();
  } catch (e) {
    // api() has re-armed the timer (unreachable) or shown the login form (401).
  }
}

function toast(message, isError) {
  const t = $('toast');
  t.textContent = message;
  t.classList.toggle('error', !!isError);
  t.hidden = false;
  if (toastTimer) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, isError ? 6000 : 3000);
}

// Runs an action from a button: disables it meanwhile, reports errors in the toast.
// Returns the action's result, or undefined when it failed.
async function withButton(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    toast(e.message || String(e), true);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// ---------------------------------------------------------------------------
// Theme: follows prefers-color-scheme until the toggle picks one (kept in localStorage)

const darkQuery = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

function storedTheme() {
  try { return localStorage.getItem('lanlord-theme'); } catch (e) { return null; }
}

function effectiveTheme() {
  const t = storedTheme();
  if (t === 'light' || t === 'dark') return t;
  return darkQuery && darkQuery.matches ? 'dark' : 'light';
}

function applyTheme() {
  const t = storedTheme();
  if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
  else document.documentElement.removeAttribute('data-theme');
  const other = effectiveTheme() === 'dark' ? 'light' : 'dark';
  const button = $('theme-toggle');
  button.setAttribute('aria-label', 'Switch to ' + other + ' theme');
  button.title = 'Switch to ' + other + ' theme';
  button.textContent = other === 'dark' ? '\u263E' : '\u2600';   // moon / sun
}

function toggleTheme() {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  try { localStorage.setItem('lanlord-theme', next); } catch (e) { /* private mode */ }
  applyTheme();
  if (currentPage === 'dashboard' && lastDashboard) drawChart(lastDashboard);
}

// ---------------------------------------------------------------------------
// Login and session

function acceptSession(session) {
  if (session && typeof session.csrf === 'string') csrf = session.csrf;
  if (session && typeof session.privacy === 'string') setPrivacy(session.privacy);
}

function setPrivacy(level) {
  privacy = level;
  setText('privacy-level', level || '–');
  setText('privacy-text', PRIVACY_TEXT[level] || '');
}

function showLogin() {
  loggedIn = false;
  csrf = null;
  stopTimers();
  clearData();
  document.body.classList.add('logged-out');
  for (const p of PAGES) $('page-' + p).hidden = true;
  $('login-view').hidden = false;
  $('login-password').value = '';
  $('login-password').focus();
}

function showApp() {
  loggedIn = true;
  document.body.classList.remove('logged-out');
  $('login-view').hidden = true;
  setText('login-error', '');
  route();
}

async function onLoginSubmit(event) {
  event.preventDefault();
  const button = $('login-submit');
  const error = $('login-error');
  error.textContent = '';
  button.disabled = true;
  let retryAfter = 0;
  try {
    const result = await apiPost('/api/login', {password: $('login-password').value}, {login: true});
    acceptSession(result);
    $('login-password').value = '';
    // The login answer carries the token; the session call adds the privacy level.
    try { acceptSession(await apiGet('/api/session')); } catch (e) { /* shown elsewhere */ }
    if (csrf) showApp();
  } catch (e) {
    error.textContent = e.message;
    if (e.status === 429) retryAfter = num(e.data.retry_after_s);
    $('login-password').select();
  } finally {
    // After a rate limit, keep the button off for the time the server asked.
    if (retryAfter > 0) setTimeout(() => { button.disabled = false; }, Math.min(retryAfter, 3600) * 1000);
    else button.disabled = false;
  }
}

async function logout() {
  try { await apiPost('/api/logout', {}); } catch (e) { /* the session ends here anyway */ }
  showLogin();
}

// Empties what the pages show, so nothing stays in the DOM after logging out.
function clearData() {
  lastDashboard = null;
  lastQuerylogKey = '';
  for (const id of ['querylog-table', 'leases-table', 'reservations-table', 'list-files',
                    'upstreams', 'bench-results']) {
    $(id).tBodies[0].replaceChildren();
  }
  for (const id of ['top-names', 'top-blocked', 'top-clients', 'dhcp-pools', 'queries-chart',
                    'blocked-by-web', 'allowed-by-web', 'allowed-by-config', 'reload-errors']) {
    $(id).replaceChildren();
  }
  for (const id of ['config-text', 'status-text', 'config-file', 'querylog-status', 'leases-status',
                    'list-summary', 'reload-status', 'dashboard-footer']) {
    setText(id, '');
  }
}

// ---------------------------------------------------------------------------
// Routing: #page or #page?key=value (the query log takes its filters that way)

function parseHash() {
  const hash = location.hash.replace(/^#/, '');
  const q = hash.indexOf('?');
  const page = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  return {page, params};
}

function route() {
  if (!loggedIn) return;
  let {page, params} = parseHash();
  if (!PAGES.includes(page)) {
    page = 'dashboard';
    history.replaceState(null, '', '#dashboard');
  }
  if (page === 'querylog' && [...params.keys()].length) setQuerylogFilter(params);
  showPage(page);
}

function showPage(page) {
  if (currentPage && currentPage !== page && pageHandlers[currentPage].leave) {
    pageHandlers[currentPage].leave();
  }
  stopTimers();
  currentPage = page;
  for (const p of PAGES) $('page-' + p).hidden = p !== page;
  for (const a of $('nav').querySelectorAll('a[data-page]')) {
    const active = a.dataset.page === page;
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const handler = pageHandlers[page];
  if (handler.enter) handler.enter();
  refreshPage();
  if (handler.live) pageTimer = setInterval(tick, REFRESH_MS);
}

function stopTimers() {
  if (pageTimer) { clearInterval(pageTimer); pageTimer = null; }
  if (benchTimer) { clearTimeout(benchTimer); benchTimer = null; }
}

// The 5 s refresh: skipped while the tab is hidden or the daemon is unreachable.
function tick() {
  if (document.hidden || !$('banner').hidden) return;
  const handler = pageHandlers[currentPage];
  if (handler.skipTick && handler.skipTick()) return;
  refreshPage();
}

// Reloads the visible page's data (one request at a time per page).
async function refreshPage() {
  const page = currentPage;
  if (!loggedIn || !page || busy[page]) return;
  busy[page] = true;
  try {
    await pageHandlers[page].refresh();
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 0)) {
      console.warn('lanlord: ' + page + ': ' + (e.message || e));
      toast(e.message || String(e), true);
    }
  } finally {
    busy[page] = false;
  }
}

// ---------------------------------------------------------------------------
// Dashboard

function buildOutcomeTiles() {
  const box = $('outcome-tiles');
  for (const o of OUTCOMES) {
    box.append(el('div', {class: 'tile small-tile'},
      el('span', {class: 'tile-label'}, el('span', {class: 'swatch ' + outcomeClass(o)}), o),
      el('span', {class: 'tile-value', 'data-outcome-total': o, text: '–'})));
  }
}

async function refreshDashboard() {
  const d = await apiGet('/api/dashboard');
  if (currentPage !== 'dashboard') return;
  lastDashboard = d;
  renderDashboard(d);
}

function renderDashboard(d) {
  const totals = d.totals || {};
  const total = $('total-queries');
  total.textContent = fmtInt(totals.queries);
  total.dataset.value = num(totals.queries);
  for (const o of OUTCOMES) {
    const tile = document.querySelector('[data-outcome-total="' + o + '"]');
    tile.textContent = fmtInt(num(totals[o]));
    tile.dataset.value = num(totals[o]);
  }
  setText('hit-ratio', fmtPercent(d.hit_ratio));
  const latency = d.latency_ms || {};
  setText('latency-p50', fmtMs(latency.p50));
  setText('latency-p90', fmtMs(latency.p90));
  setText('latency-p99', fmtMs(latency.p99));

  drawChart(d);
  renderTopNames($('top-names'), arr(d.top_names), 'No queries yet');
  renderTopNames($('top-blocked'), arr(d.top_blocked), 'Nothing blocked yet');
  renderTopClients(arr(d.top_clients));
  renderUpstreams(arr(d.upstreams));
  renderPools(d.dhcp || {});

  if (typeof d.privacy === 'string') setPrivacy(d.privacy);
  if (d.version) setText('version', 'v' + str(d.version));
  const cache = d.cache || {};
  setText('dashboard-footer',
    'Cache ' + fmtInt(num(cache.entries)) + ' of ' + fmtInt(num(cache.max_entries)) + ' entries · up ' +
    fmtDuration(d.uptime_s) + ' · updated ' + fmtTime(Date.now()));
}

// A link into the query log with one filter set.
function querylogLink(key, value, text) {
  const params = new URLSearchParams();
  params.set(key, value);
  return el('a', {href: '#querylog?' + params.toString(), class: 'name', text});
}

function renderTopNames(list, items, emptyText) {
  fillList(list, items.map((item) => {
    const name = str(item.name);
    return el('li', {'data-count': num(item.count)},
      name ? querylogLink('name', name, name) : el('span', {class: 'muted', text: '(hidden)'}),
      el('span', {class: 'count', text: fmtInt(num(item.count))}));
  }), emptyText);
}

// "laptop (192.168.1.20)", or only the address, or "(hidden)".
function clientLabel(address, name) {
  if (!address && !name) return '(hidden)';
  if (name && address) return name + ' (' + address + ')';
  return name || address;
}

function renderTopClients(items) {
  fillList($('top-clients'), items.map((item) => {
    const address = str(item.client);
    const label = clientLabel(address, str(item.name));
    return el('li', {'data-count': num(item.count), 'data-address': address},
      address ? querylogLink('client', address, label) : el('span', {class: 'muted', text: label}),
      el('span', {class: 'count', text: fmtInt(num(item.count))}));
  }), 'No clients yet');
}

function renderUpstreams(groups) {
  const rows = [];
  for (const g of groups) {
    const servers = arr(g.servers);
    const title = str(g.group) + (g.recursive ? ' (recursive)' : '');
    rows.push(el('tr', {class: 'group'}, el('th', {colspan: 5, text: title})));
    if (servers.length === 0) {
      rows.push(el('tr', {class: 'empty'}, el('td', {colspan: 5,
        text: g.recursive ? 'Resolves from the root servers' : 'No servers'})));
    }
    for (const s of servers) {
      const state = str(s.state);
      const known = ['up', 'backed-off', 'untested'].includes(state);
      rows.push(el('tr', {'data-address': str(s.address)},
        el('td', {'data-label': 'Server', class: 'mono', text: str(s.address)}),
        el('td', {'data-label': 'State'},
          el('span', {class: 'badge state-' + (known ? state : 'unknown'), text: state || '?'})),
        el('td', {'data-label': 'RTT', class: 'num', text: fmtMs(s.srtt_ms)}),
        el('td', {'data-label': 'Queries', class: 'num', text: fmtInt(num(s.queries))}),
        el('td', {'data-label': 'Failures', class: 'num', text: fmtInt(num(s.failures))})));
    }
  }
  fillTable($('upstreams'), rows, 'No upstream servers');
}

function renderPools(dhcp) {
  const box = $('dhcp-pools');
  if (!dhcp.enabled) {
    box.replaceChildren(el('p', {class: 'muted', text: 'DHCP is off.'}));
    return;
  }
  const subnets = arr(dhcp.subnets);
  if (subnets.length === 0) {
    box.replaceChildren(el('p', {class: 'muted', text: 'No DHCP subnets.'}));
    return;
  }
  box.replaceChildren(...subnets.map((s) => {
    const size = num(s.pool_size), active = num(s.active_leases);
    const ratio = size > 0 ? Math.min(1, active / size) : 0;
    const fill = el('div', {class: 'bar-fill' + (ratio >= 0.95 ? ' full' : ratio >= 0.8 ? ' high' : '')});
    fill.style.width = (ratio * 100).toFixed(1) + '%';
    const bar = el('div', {class: 'bar', role: 'progressbar', 'aria-valuemin': 0,
                           'aria-valuemax': size, 'aria-valuenow': active}, fill);
    return el('div', {class: 'pool', 'data-subnet': str(s.subnet), 'data-active': active, 'data-pool': size},
      el('div', {class: 'pool-head'},
        el('span', {class: 'mono', text: str(s.subnet)}),
        s.interface ? el('span', {class: 'muted', text: ' on ' + str(s.interface)}) : null,
        el('span', {class: 'pool-pct', text: fmtPercent(size > 0 ? active / size : null, 0)})),
      bar,
      el('div', {class: 'muted small', text: fmtInt(active) + ' of ' + fmtInt(size) + ' addresses leased · ' +
                                               fmtInt(num(s.reservations)) + ' reserved'}));
  }));
}

// Stacked bar chart of the 24 h series, one bar per bucket, drawn as SVG.
function drawChart(d) {
  const box = $('queries-chart');
  const series = arr(d.series);
  const width = Math.max(280, Math.floor(box.clientWidth || 720));
  const height = width < 500 ? 170 : 220;
  const m = {left: 44, right: 8, top: 8, bottom: 22};
  const plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;

  const totals = series.map((b) => OUTCOMES.reduce((sum, o) => sum + num(b[o]), 0));
  const max = niceMax(Math.max(0, ...totals));
  const svg = svgEl('svg', {width, height, viewBox: '0 0 ' + width + ' ' + height,
                            role: 'img', 'aria-label': 'Queries per ' + num(d.step_minutes) + ' minutes, 24 hours'});

  // Grid lines and y labels.
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4, y = m.top + plotH - plotH * i / 4;
    svg.append(svgEl('line', {class: 'grid', x1: m.left, x2: width - m.right, y1: y, y2: y}));
    svg.append(svgEl('text', {class: 'axis', x: m.left - 6, y: y + 4, 'text-anchor': 'end', text: shortNumber(v)}));
  }

  const n = series.length;
  if (n > 0) {
    const slot = plotW / n, barW = Math.max(1, slot * 0.8);
    series.forEach((bucket, i) => {
      const g = svgEl('g', {class: 'bucket'});
      const x = m.left + i * slot + (slot - barW) / 2;
      let y = m.top + plotH;
      const lines = [fmtHourMinute(num(bucket.start_ms)) + ': ' + fmtInt(totals[i]) + ' queries'];
      for (const o of OUTCOMES) {
        const v = num(bucket[o]);
        if (v <= 0) continue;
        const h = plotH * v / max;
        y -= h;
        g.append(svgEl('rect', {class: 'seg ' + outcomeClass(o), x: x.toFixed(2), y: y.toFixed(2),
                                width: barW.toFixed(2), height: Math.max(h, 0.5).toFixed(2)}));
        lines.push(o + ' ' + fmtInt(v));
      }
      // A transparent full-height rect gives each bucket a hover target and tooltip.
      g.append(svgEl('rect', {class: 'hover', x: (m.left + i * slot).toFixed(2), y: m.top,
                              width: slot.toFixed(2), height: plotH}));
      g.append(svgEl('title', {text: lines.join('\n')}));
      svg.append(g);
    });
    // X labels: about every 3 h (or fewer on a narrow screen).
    const every = Math.max(1, Math.round(n / (width < 500 ? 4 : 8)));
    for (let i = 0; i < n; i += every) {
      svg.append(svgEl('text', {class: 'axis', x: (m.left + i * slot).toFixed(1), y: height - 6,
                                'text-anchor': 'start', text: fmtHourMinute(num(series[i].start_ms))}));
    }
  }
  if (!totals.some((t) => t > 0)) {
    svg.append(svgEl('text', {class: 'axis', x: m.left + plotW / 2, y: m.top + plotH / 2,
                              'text-anchor': 'middle', text: 'No queries yet'}));
  }
  svg.append(svgEl('line', {class: 'baseline', x1: m.left, x2: width - m.right, y1: m.top + plotH, y2: m.top + plotH}));

  const legend = el('ul', {class: 'legend'}, ...OUTCOMES.map((o) =>
    el('li', null, el('span', {class: 'swatch ' + outcomeClass(o)}), o)));
  box.replaceChildren(svg, legend);
}

// The top of the y axis: four grid steps of a "nice" whole size (1, 2 or 5
// times a power of ten), so every grid line falls on a whole number the
// label shows exactly (8 queries: 0 2 4 6 8; 10: 0 5 10 15 20).
function niceMax(v) {
  const want = Math.max(1, v / 4);
  const p = Math.pow(10, Math.floor(Math.log10(want)));
  for (const f of [1, 2, 5, 10]) if (f * p >= want) return 4 * f * p;
  return 40 * p;
}

function shortNumber(v) {
  if (v >= 1e6) return +(v / 1e6).toFixed(1) + 'M';
  if (v >= 1e3) return +(v / 1e3).toFixed(1) + 'k';
  return String(Math.round(v));
}

// ---------------------------------------------------------------------------
// Query log

const FILTER_INPUTS = ['filter-client', 'filter-name', 'filter-type'];

function buildOutcomeSelect() {
  const select = $('filter-outcome');
  for (const o of OUTCOMES) select.append(el('option', {value: o, text: o}));
}

// Sets the filter inputs and the applied filter (from #querylog?client=...).
function setQuerylogFilter(params) {
  const f = {client: '', name: '', type: '', outcome: '', limit: qlFilter.limit};
  for (const k of Object.keys(f)) if (params.has(k)) f[k] = params.get(k);
  if (f.outcome && !OUTCOMES.includes(f.outcome)) f.outcome = '';
  qlFilter = f;
  $('filter-client').value = f.client;
  $('filter-name').value = f.name;
  $('filter-type').value = f.type;
  $('filter-outcome').value = f.outcome;
  if ([...$('filter-limit').options].some((o) => o.value === f.limit)) $('filter-limit').value = f.limit;
}

// Takes the inputs as the filter, puts it in the address bar and queries.
function applyQuerylogFilter() {
  qlFilter = {
    client: $('filter-client').value.trim(),
    name: $('filter-name').value.trim(),
    type: $('filter-type').value.trim(),
    outcome: $('filter-outcome').value,
    limit: $('filter-limit').value,
  };
  const params = filterParams(false);
  const hash = '#querylog' + (params.toString() ? '?' + params.toString() : '');
  if (location.hash !== hash) history.replaceState(null, '', hash);
  lastQuerylogKey = '';
  refreshPage();
}

// URL parameters for the applied filter (with the row limit for the API).
function filterParams(withLimit) {
  const params = new URLSearchParams();
  if (withLimit) params.set('limit', qlFilter.limit || '200');
  for (const k of ['client', 'name', 'type', 'outcome']) if (qlFilter[k]) params.set(k, qlFilter[k]);
  return params;
}

// No refresh while the user types in a filter or has switched "live" off.
function querylogSkipTick() {
  if (!$('querylog-live').checked) return true;
  const active = document.activeElement;
  return !!active && FILTER_INPUTS.includes(active.id);
}

async function refreshQuerylog() {
  const d = await apiGet('/api/querylog?' + filterParams(true).toString());
  if (currentPage !== 'querylog') return;
  const records = arr(d.records);
  const key = JSON.stringify(records);
  const filtered = filterParams(false).toString() !== '';
  setText('querylog-status', fmtInt(records.length) + ' shown · ' + fmtInt(num(d.scanned)) + ' scanned · ' +
          'the log keeps ' + fmtInt(num(d.capacity)) + ' · updated ' + fmtTime(Date.now()));
  if (key === lastQuerylogKey) return;   // same rows: leave the table (and any hovered button) alone
  lastQuerylogKey = key;
  let empty = filtered ? 'No queries match the filter' : 'No queries yet';
  if (privacy === 'off') empty = 'The query log is off (privacy level "off")';
  fillTable($('querylog-table'), records.map(querylogRow), empty);
}

function querylogRow(r) {
  const name = str(r.name), address = str(r.client), clientName = str(r.client_name);
  const outcome = str(r.outcome);
  let answer = str(r.answer);
  const flags = [];
  if (r.secure) flags.push('DNSSEC secure');
  if (r.tcp) flags.push('TCP');
  if (r.rcode) flags.push(str(r.rcode));
  if (num(r.answer_count) > 0) flags.push(fmtInt(num(r.answer_count)) + ' answer records');

  const clientCell = el('td', {'data-field': 'client', 'data-label': 'Client', 'data-address': address,
                               class: address ? 'clickable' : 'muted', tabindex: address ? 0 : null,
                               title: address ? 'Show only this client' : null,
                               text: clientLabel(address, clientName)});
  const nameCell = el('td', {'data-field': 'name', 'data-label': 'Name', 'data-name': name,
                             class: 'name ' + (name ? 'clickable' : 'muted'), tabindex: name ? 0 : null,
                             title: name ? 'Show only names containing this' : null,
                             text: name || '(hidden)'});
  const answerCell = el('td', {'data-field': 'answer', 'data-label': 'Answer', class: 'name',
                               title: flags.join(' · '), text: answer});
  if (!answer && r.rcode && r.rcode !== 'NOERROR') answerCell.append(el('span', {class: 'muted', text: str(r.rcode)}));

  const actions = el('td', {class: 'actions'},
    el('button', {type: 'button', class: 'small danger', 'data-action': 'block', 'data-name': name,
                  disabled: !name, title: 'Block this name', text: 'Block'}),
    el('button', {type: 'button', class: 'small', 'data-action': 'allow', 'data-name': name,
                  disabled: !name, title: 'Allow this name', text: 'Allow'}));

  return el('tr', null,
    el('td', {'data-field': 'time', 'data-label': 'Time', class: 'mono', title: fmtDateTime(r.time_ms),
              text: fmtTime(r.time_ms)}),
    clientCell,
    nameCell,
    el('td', {'data-field': 'type', 'data-label': 'Type', text: str(r.type)}),
    el('td', {'data-field': 'outcome', 'data-label': 'Outcome'},
      el('span', {class: 'badge ' + outcomeClass(outcome), text: outcome})),
    answerCell,
    el('td', {'data-field': 'answer_ms', 'data-label': 'ms', class: 'num', text: fmtMs(r.answer_ms)}),
    actions);
}

// Clicks in the table: block/allow buttons, or a client/name cell to filter by it.
function onQuerylogClick(event) {
  const button = event.target.closest('button[data-action]');
  if (button) {
    const action = button.dataset.action;
    if (action === 'block' || action === 'allow') changeDomain(button.dataset.name, action, button);
    return;
  }
  const cell = event.target.closest('td[data-field]');
  if (!cell || !cell.classList.contains('clickable')) return;
  if (cell.dataset.field === 'client') {
    $('filter-client').value = cell.dataset.address;
  } else if (cell.dataset.field === 'name') {
    $('filter-name').value = cell.dataset.name;
  } else {
    return;
  }
  applyQuerylogFilter();
}

function onQuerylogKey(event) {
  if (event.key === 'Enter' && event.target.matches('td.clickable')) onQuerylogClick(event);
}

// ---------------------------------------------------------------------------
// Block / allow / remove a name (query log and lists page)

const DOMAIN_DONE = {block: 'Blocked', allow: 'Allowed', remove: 'Removed'};

async function changeDomain(name, action, button) {
  name = str(name).trim();
  if (!name) { toast('Enter a name first', true); return false; }
  const lists = await withButton(button, () => apiPost('/api/domains', {name, action}));
  if (lists === undefined) return false;
  toast(DOMAIN_DONE[action] + ' ' + name);
  if (currentPage === 'lists' && lists) renderLists(lists);
  return true;
}

// ---------------------------------------------------------------------------
// Clients (DHCP leases and reservations)

async function refreshClients() {
  const d = await apiGet('/api/leases');
  if (currentPage !== 'clients') return;
  renderLeases(d || {});
}

function renderLeases(d) {
  const leases = arr(d.leases), reservations = arr(d.reservations);
  setText('leases-status', d.enabled === false ? 'DHCP is off.' :
          fmtInt(leases.filter((l) => l.state === 'active').length) + ' active of ' + fmtInt(leases.length) +
          ' leases · updated ' + fmtTime(Date.now()));
  fillTable($('leases-table'), leases.map(leaseRow), d.enabled === false ? 'DHCP is off' : 'No leases yet');
  fillTable($('reservations-table'), reservations.map((r) => el('tr', {'data-address': str(r.address)},
    el('td', {'data-field': 'address', 'data-label': 'Address', class: 'mono', text: str(r.address)}),
    el('td', {'data-field': 'hardware', 'data-label': 'Hardware', class: 'mono', text: str(r.hardware)}),
    el('td', {'data-field': 'hostname', 'data-label': 'Host name', class: 'name', text: str(r.hostname)}),
    el('td', {'data-field': 'source', 'data-label': 'Source', text: str(r.source)}))), 'No reservations');
}

function leaseRow(l) {
  const address = str(l.address), state = str(l.state);
  const active = state === 'active';
  const inS = num(l.expires_in_s);
  const expires = active ? 'in ' + fmtDuration(inS) : (inS < 0 ? fmtDuration(-inS) + ' ago' : 'expired');
  const actions = el('td', {class: 'actions'});
  if (address) {
    const link = querylogLink('client', address, 'queries');
    link.setAttribute('data-action', 'queries');
    link.title = 'Show the queries from this address';
    actions.append(link);
  }
  if (active && !l.reserved && address) {
    actions.append(el('button', {type: 'button', class: 'small', 'data-action': 'reserve', 'data-address': address,
                                 title: 'Always give this device this address', text: 'Reserve'}));
  }
  return el('tr', {'data-address': address},
    el('td', {'data-field': 'hostname', 'data-label': 'Host name', class: 'name', text: str(l.hostname)}),
    el('td', {'data-field': 'hardware', 'data-label': 'Hardware', class: 'mono', text: str(l.hardware)}),
    el('td', {'data-field': 'address', 'data-label': 'Address', class: 'mono', text: address}),
    el('td', {'data-field': 'expires', 'data-label': 'Expires',
              title: l.expires ? fmtDateTime(num(l.expires) * 1000) : null, text: expires}),
    el('td', {'data-field': 'state', 'data-label': 'State'},
      el('span', {class: 'badge ' + (active ? 'state-up' : 'state-untested'), text: state})),
    el('td', {'data-field': 'reserved', 'data-label': 'Reserved', text: l.reserved ? 'yes' : 'no'}),
    actions);
}

async function onLeasesClick(event) {
  const button = event.target.closest('button[data-action="reserve"]');
  if (!button) return;
  const address = button.dataset.address;
  const done = await withButton(button, () => apiPost('/api/leases/reserve', {address}));
  if (done === undefined) return;
  toast('Reserved ' + address);
  refreshPage();
}

// ---------------------------------------------------------------------------
// Lists

async function refreshLists() {
  const d = await apiGet('/api/lists');
  if (currentPage !== 'lists') return;
  renderLists(d || {});
}

function renderLists(d) {
  const files = arr(d.files);
  fillTable($('list-files'), files.map((f) => el('tr', {'data-path': str(f.path), 'data-count': num(f.domains)},
    el('td', {class: 'mono name', text: str(f.path)}),
    el('td', {class: 'num', text: fmtInt(num(f.domains))}))), 'No blocklist files configured');
  let summary = fmtInt(num(d.domains)) + ' blocked domains from ' + fmtInt(files.length) +
                (files.length === 1 ? ' file' : ' files');
  if (num(d.skipped)) summary += ' · ' + fmtInt(num(d.skipped)) + ' lines skipped';
  if (d.loaded_at_ms) summary += ' · loaded ' + fmtWhen(d.loaded_at_ms);
  if (typeof d.load_seconds === 'number') summary += ' in ' + fmtMs(d.load_seconds * 1000);
  setText('list-summary', summary);
  renderNameList($('blocked-by-web'), arr(d.blocked_by_web), 'Nothing blocked from this page', true);
  renderNameList($('allowed-by-web'), arr(d.allowed_by_web), 'Nothing allowed from this page', true);
  renderNameList($('allowed-by-config'), arr(d.allowed_by_config), 'None', false);
}

function renderNameList(list, names, emptyText, removable) {
  fillList(list, names.map((n) => {
    const name = str(n);
    return el('li', {'data-name': name},
      el('span', {class: 'name', text: name}),
      removable ? el('button', {type: 'button', class: 'small', 'data-action': 'remove', 'data-name': name,
                                title: 'Remove from this list', text: 'Remove'}) : null);
  }), emptyText);
}

function onNameListClick(event) {
  const button = event.target.closest('button[data-action="remove"]');
  if (button) changeDomain(button.dataset.name, 'remove', button);
}

async function onDomainButton(action, button) {
  const input = $('domain-input');
  if (await changeDomain(input.value, action, button)) input.value = '';
}

// ---------------------------------------------------------------------------
// Compare (benchmark)

async function refreshBench() {
  const d = await apiGet('/api/bench');
  if (currentPage !== 'compare') return;
  renderBench(d || {});
  if (d && d.state === 'running') {
    if (benchTimer) clearTimeout(benchTimer);
    benchTimer = setTimeout(() => { benchTimer = null; refreshPage(); }, BENCH_POLL_MS);
  }
}

function renderBench(d) {
  const state = str(d.state) || 'idle';
  let text = {idle: 'No comparison has run yet.', running: 'Running…', done: 'Done.', failed: 'Failed.'}[state] || state;
  if (d.started_ms) text += ' Started ' + fmtWhen(d.started_ms) + '.';
  if (d.error) text += ' ' + str(d.error);
  const stateEl = $('bench-state');
  stateEl.textContent = text;
  stateEl.dataset.state = state;
  stateEl.className = state === 'failed' ? 'error' : 'muted';
  $('bench-start').disabled = state === 'running';

  const results = arr(d.results);
  fillTable($('bench-results'), results.map((r) => {
    const sent = num(r.sent), answered = num(r.answered);
    return el('tr', {'data-address': str(r.address)},
      el('td', {'data-field': 'name', class: 'name', text: str(r.name)}),
      el('td', {'data-field': 'address', class: 'mono', text: str(r.address)}),
      el('td', {'data-field': 'cached_p50_ms', class: 'num', text: fmtMs(r.cached_p50_ms)}),
      el('td', {'data-field': 'uncached_p50_ms', class: 'num', text: fmtMs(r.uncached_p50_ms)}),
      el('td', {'data-field': 'answered', class: 'num',
                text: fmtInt(answered) + ' / ' + fmtInt(sent) + (sent ? ' (' + fmtPercent(answered / sent, 0) + ')' : '')}));
  }), state === 'running' ? 'Waiting for results…' : 'No results');

  // The chart is an image from the daemon (never inlined); the query string defeats caching.
  const img = $('bench-chart');
  if (state === 'done') {
    const src = '/api/bench/chart.svg?t=' + encodeURIComponent(String(d.started_ms || Date.now()));
    if (img.getAttribute('src') !== src) img.setAttribute('src', src);
    img.hidden = false;
  } else {
    img.hidden = true;
  }
}

async function onBenchSubmit(event) {
  event.preventDefault();
  const servers = $('bench-servers').value.split(/[\s,]+/).filter(Boolean);
  const upstreams = $('bench-upstreams').checked;
  const started = await withButton($('bench-start'), () => apiPost('/api/bench', {servers, upstreams}));
  if (started === undefined) return;
  toast('Comparison started');
  refreshPage();
}

// ---------------------------------------------------------------------------
// Settings

async function refreshSettings() {
  const [config, session] = await Promise.all([apiGet('/api/config'), apiGet('/api/session')]);
  if (currentPage !== 'settings') return;
  acceptSession(session);
  setText('config-file', config && config.file ? str(config.file) : '');
  setText('config-text', config ? str(config.text) : '');
  if ($('status-details').open) loadStatus();
}

async function loadStatus() {
  try {
    const status = await apiGet('/api/status');
    setText('status-text', JSON.stringify(status, null, 2));
  } catch (e) {
    if (e.status !== 401) setText('status-text', e.message);
  }
}

async function flushCache(button) {
  const result = await withButton(button, () => apiPost('/api/cache/flush', {}));
  if (result !== undefined) toast('Cache flushed: ' + fmtInt(num(result && result.flushed)) + ' entries');
}

async function reloadConfig(button) {
  const status = $('reload-status'), errors = $('reload-errors');
  status.textContent = 'Reloading…';
  status.className = 'small muted';
  errors.replaceChildren();
  button.disabled = true;
  try {
    await apiPost('/api/reload', {});
    status.textContent = 'Configuration reloaded at ' + fmtTime(Date.now()) + '.';
    status.className = 'small ok';
    toast('Configuration reloaded');
    refreshPage();
  } catch (e) {
    if (e.status === 401) return;
    status.textContent = 'Not reloaded (the old configuration stays in force): ' + e.message;
    status.className = 'small error';
    errors.replaceChildren(...arr(e.data.errors).map((x) => el('li', {class: 'mono', text: str(x)})));
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------
// Page table: what each page does when shown and every refresh

const pageHandlers = {
  dashboard: {refresh: refreshDashboard, live: true},
  querylog: {refresh: refreshQuerylog, live: true, skipTick: querylogSkipTick,
             enter: () => { lastQuerylogKey = ''; }},
  clients: {refresh: refreshClients},
  lists: {refresh: refreshLists},
  compare: {refresh: refreshBench},
  settings: {refresh: refreshSettings},
};

// ---------------------------------------------------------------------------
// Start

function debounce(fn, ms) {
  let t = null;
  return () => { clearTimeout(t); t = setTimeout(fn, ms); };
}

function wireEvents() {
  $('theme-toggle').addEventListener('click', toggleTheme);
  if (darkQuery && darkQuery.addEventListener) darkQuery.addEventListener('change', applyTheme);
  $('login-form').addEventListener('submit', onLoginSubmit);
  window.addEventListener('hashchange', route);
  window.addEventListener('resize', debounce(() => {
    if (currentPage === 'dashboard' && lastDashboard) drawChart(lastDashboard);
  }, 200));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && loggedIn && pageHandlers[currentPage] && pageHandlers[currentPage].live) tick();
  });

  $('querylog-filters').addEventListener('submit', (e) => { e.preventDefault(); applyQuerylogFilter(); });
  $('filter-outcome').addEventListener('change', applyQuerylogFilter);
  $('filter-limit').addEventListener('change', applyQuerylogFilter);
  $('filter-clear').addEventListener('click', () => {
    for (const id of FILTER_INPUTS) $(id).value = '';
    $('filter-outcome').value = '';
    applyQuerylogFilter();
  });
  $('querylog-live').addEventListener('change', () => { if ($('querylog-live').checked) refreshPage(); });
  $('querylog-table').addEventListener('click', onQuerylogClick);
  $('querylog-table').addEventListener('keydown', onQuerylogKey);

  $('leases-table').addEventListener('click', onLeasesClick);

  $('domain-form').addEventListener('submit', (e) => e.preventDefault());   // Enter: pick Block or Allow
  $('domain-block').addEventListener('click', (e) => onDomainButton('block', e.currentTarget));
  $('domain-allow').addEventListener('click', (e) => onDomainButton('allow', e.currentTarget));
  $('blocked-by-web').addEventListener('click', onNameListClick);
  $('allowed-by-web').addEventListener('click', onNameListClick);

  $('bench-form').addEventListener('submit', onBenchSubmit);

  $('flush-cache').addEventListener('click', (e) => flushCache(e.currentTarget));
  $('reload-config').addEventListener('click', (e) => reloadConfig(e.currentTarget));
  $('logout').addEventListener('click', logout);
  $('status-details').addEventListener('toggle', () => { if ($('status-details').open) loadStatus(); });
}

async function boot() {
  applyTheme();
  buildOutcomeTiles();
  buildOutcomeSelect();
  wireEvents();
  try {
    acceptSession(await apiGet('/api/session', {login: true}));
    showApp();
  } catch (e) {
    // 401 (or 403): not logged in. 0: unreachable; the banner retries and shows the page.
    if (e.status !== 0) showLogin();
  }
}

boot();

})();
