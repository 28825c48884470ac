// The web UI's shell: login and logout, the header with its navigation, the hash routes to the pages, and
// the refresh timer. A page module exports render(view, params, ctx), which builds the page into `view`
// and may return a refresh function that the timer calls (every 5 s unless the user picks otherwise).

import { h, fill } from './dom.js';
import { get, ApiError, saveCredentials, forgetCredentials, hasCredentials } from './api.js';
import * as overview from './pages/overview.js';
import * as connections from './pages/connections.js';
import * as connection from './pages/connection.js';
import * as channels from './pages/channels.js';
import * as channel from './pages/channel.js';
import * as exchanges from './pages/exchanges.js';
import * as exchange from './pages/exchange.js';
import * as queues from './pages/queues.js';
import * as queue from './pages/queue.js';
import * as admin from './pages/admin.js';

const ROUTES = [
  ['', overview],
  ['connections', connections],
  ['connections/:name', connection],
  ['channels', channels],
  ['channels/:name', channel],
  ['exchanges', exchanges],
  ['exchanges/:vhost/:name', exchange],
  ['queues', queues],
  ['queues/:vhost/:name', queue],
  ['admin', admin],
  ['admin/:section', admin],
  ['admin/:section/:name', admin],
];

const NAV = [['', 'Overview'], ['connections', 'Connections'], ['channels', 'Channels'],
  ['exchanges', 'Exchanges'], ['queues', 'Queues'], ['admin', 'Admin']];

const REFRESH = 'warren.refresh';
const REFRESH_CHOICES = [[1, 'Every 1 s'], [5, 'Every 5 s'], [10, 'Every 10 s'], [30, 'Every 30 s'], [0, 'Paused']];

const app = document.getElementById('app');
let ctx = null; // {user: {name, tags}, isAdmin, isMonitor, isPolicymaker}
let current = { refresh: null, generation: 0 };
let timer = null;

function tags(user) {
  const t = new Set(user.tags);
  return {
    user,
    isAdmin: t.has('administrator'),
    isMonitor: t.has('administrator') || t.has('monitoring'),
    isPolicymaker: t.has('administrator') || t.has('policymaker'),
  };
}

function match(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p, i, all) => p !== '' || all.length === 1);
  for (const [pattern, page] of ROUTES) {
    const names = pattern === '' ? [''] : pattern.split('/');
    if (names.length !== Math.max(1, parts.length)) continue;
    const params = {};
    const ok = names.every((n, i) => {
      if (n.startsWith(':')) {
        params[n.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return n === (parts[i] ?? '');
    });
    if (ok) return { page, params, top: names[0] };
  }
  return null;
}

// ---- login ----

function showLogin(message) {
  stopTimer();
  ctx = null;
  const status = h('p.status.error', { role: 'alert' }, message ?? '');
  const loginForm = h('form.login', { name: 'login' },
    h('h1', 'Warren'),
    h('label.field', h('span.label', 'Username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label.field', h('span.label', 'Password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password' })),
    h('button', { type: 'submit' }, 'Log in'), status);
  loginForm.addEventListener('submit', async event => {
    event.preventDefault();
    saveCredentials(loginForm.elements.username.value, loginForm.elements.password.value);
    try {
      await start();
    } catch (e) {
      forgetCredentials();
      status.textContent = e.status === 401 ? 'Login failed: wrong username or password.' : e.message;
    }
  });
  fill(app, h('main.login-page', loginForm));
  loginForm.elements.username.focus();
}

function logout() {
  forgetCredentials();
  location.hash = '#/';
  showLogin();
}

async function start() {
  ctx = tags(await get('/whoami'));
  renderShell();
  await route();
}

// ---- shell ----

let view;
let navLinks;
let alarmBanner;

function renderShell() {
  const refreshSelect = h('select', { name: 'refresh', title: 'Refresh', onchange: e => setRefresh(Number(e.target.value)) },
    REFRESH_CHOICES.map(([s, text]) => h('option', { value: s, selected: s === refreshSeconds() }, text)));
  navLinks = NAV.filter(([path]) => path !== 'admin' || ctx.isAdmin || ctx.isPolicymaker)
    .map(([path, text]) => h('a', { href: `#/${path}`, dataset: { nav: path || 'overview' } }, text));
  alarmBanner = h('div.alarms', { hidden: true, role: 'alert' });
  view = h('main.view');
  fill(app,
    h('header.top',
      h('a.brand', { href: '#/' }, 'Warren'),
      h('nav', navLinks),
      h('div.session', refreshSelect,
        h('span.user', { title: ctx.user.tags.join(', ') }, ctx.user.name),
        h('button.link', { type: 'button', name: 'logout', onclick: logout }, 'Log out'))),
    alarmBanner, view);
  startTimer();
}

/** Shown on every page: alarms block publishers, so they are never hidden behind a tab. */
function showAlarms(overviewJson) {
  const alarms = [];
  if (overviewJson.mem_alarm) alarms.push('Memory alarm: memory use is above the high watermark; publishers are blocked.');
  if (overviewJson.disk_free_alarm) alarms.push('Disk alarm: free disk space is below the limit; publishers are blocked.');
  alarmBanner.hidden = alarms.length === 0;
  fill(alarmBanner, alarms.map(a => h('p', a)));
}

async function route() {
  if (!ctx) return;
  const found = match(location.hash || '#/');
  const generation = ++current.generation;
  current.refresh = null;
  navLinks.forEach(a => a.classList.toggle('active', found && a.dataset.nav === (found.top || 'overview')));
  fill(view);
  if (!found) {
    fill(view, h('h1', 'Not found'), h('p', 'No such page.'));
    return;
  }
  try {
    const refresh = await found.page.render(view, found.params, ctx);
    if (generation !== current.generation) return; // the user moved on while the page loaded
    current.refresh = refresh ?? null;
    await refreshAlarms();
  } catch (e) {
    showError(e);
  }
}

async function refreshAlarms() {
  showAlarms(await get('/overview?columns=mem_alarm,disk_free_alarm'));
}

function showError(e) {
  if (!(e instanceof ApiError)) throw e; // a bug: left for the console
  if (e.status === 401) return; // handled by the unauthorized listener
  fill(view, h('h1', e.status === 404 ? 'Not found' : 'Error'), h('p.status.error', e.message));
}

// ---- refresh ----

function refreshSeconds() {
  const saved = localStorage.getItem(REFRESH);
  return saved === null ? 5 : Number(saved);
}

function setRefresh(seconds) {
  localStorage.setItem(REFRESH, String(seconds));
  startTimer();
}

function stopTimer() {
  clearInterval(timer);
  timer = null;
}

function startTimer() {
  stopTimer();
  const seconds = refreshSeconds();
  if (seconds > 0) timer = setInterval(tick, seconds * 1000);
}

let ticking = false;

async function tick() {
  if (ticking || !current.refresh || document.hidden) return;
  ticking = true;
  const generation = current.generation;
  try {
    await current.refresh();
    if (generation === current.generation) await refreshAlarms();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status !== 401) console.warn('refresh failed:', e.message);
  } finally {
    ticking = false;
  }
}

// ---- start ----

window.addEventListener('hashchange', () => route());
window.addEventListener('warren:unauthorized', () => {
  if (ctx) {
    forgetCredentials();
    showLogin('Your session ended: log in again.');
  }
});
// an API refusal inside a click handler is shown where it happened; only real bugs reach the console
window.addEventListener('unhandledrejection', event => {
  if (event.reason instanceof ApiError) event.preventDefault();
});

if (hasCredentials()) {
  start().catch(() => showLogin());
} else {
  showLogin();
}
