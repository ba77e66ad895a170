// The dashboard's entry module (no build step, no framework): asks for the operator token once,
// talks to the operator REST API with it, follows the /events Socket.IO stream (resuming with
// `since`, so a dropped connection loses nothing) and routes between views by the URL hash.
import { $, flash } from './dom.js';
import { createOverview } from './overview.js';
import { createHomelabView } from './homelab.js';
import { createIncidentView } from './incident.js';
import { createNodeView } from './node.js';
import { createAuditView } from './audit.js';

const KEY = 'vigil.operatorToken';
// Events after which the server-side state the views show may have changed.
const REFRESHING = /^(incident|remediation|approval|killswitch|autonomy|tool)\./;

let token = sessionStorage.getItem(KEY);
let socket = null;
let refreshTimer = null;

/** Calls the operator API; a refused token sends the user back to the login form. */
function api(method, path, body) {
  const init = { method, headers: { authorization: `Bearer ${token}` } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init).then((res) =>
    res
      .json()
      .catch(() => ({}))
      .then((json) => {
        if (res.status === 401 || res.status === 403) {
          logout(`that token was refused: ${json.error || res.status}`);
          throw new Error('unauthorized');
        }
        return { status: res.status, body: json };
      }),
  );
}

/** A GET whose body is used only when it answered 200 (older daemons lack some routes). */
function optional(path) {
  return api('GET', path).then(
    (r) => (r.status === 200 ? r.body : null),
    () => null,
  );
}

const ctx = { api, optional, refresh: () => scheduleRefresh() };
const views = {
  overview: createOverview(ctx),
  homelab: createHomelabView(ctx),
  incident: createIncidentView(ctx),
  node: createNodeView(ctx),
  audit: createAuditView(ctx),
};
let current = { name: 'overview', param: null };

/**
 * `#/homelab`, `#/incidents/12`, `#/nodes/pve1`, `#/audit`; `#/approvals/apr_…` is the overview with
 * that approval's card in focus (MCP clients link there); anything else is the overview.
 */
function parseRoute(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'homelab') return { name: 'homelab', param: null };
  if (parts[0] === 'audit') return { name: 'audit', param: null };
  if (parts[0] === 'approvals' && /^apr_[A-Za-z0-9_-]+$/.test(parts[1] || ''))
    return { name: 'overview', param: parts[1] };
  if (parts[0] === 'incidents' && /^\d+$/.test(parts[1] || '')) return { name: 'incident', param: Number(parts[1]) };
  if (parts[0] === 'nodes' && parts[1]) return { name: 'node', param: parts[1] };
  return { name: 'overview', param: null };
}

function route(focus) {
  current = parseRoute(location.hash);
  for (const name of Object.keys(views)) $(`view-${name}`).hidden = name !== current.name;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.view === current.name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = views[current.name];
  document.title = `vigil · ${view.title(current.param)}`;
  view.show(current.param);
  // Keyboard and screen-reader users land on the new view's heading, not at the top of the page.
  if (focus) $(`view-${current.name}`).querySelector('h2')?.focus();
}

function logout(message) {
  sessionStorage.removeItem(KEY);
  token = null;
  if (socket) {
    socket.close();
    socket = null;
  }
  $('app').hidden = true;
  $('logout').hidden = true;
  $('nav').hidden = true;
  $('login').hidden = false;
  $('login-message').textContent = message || 'Enter the operator token.';
  $('token').focus();
}

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  $('nav').hidden = false;
  route(false);
  api('GET', '/api/events?limit=50')
    .then((r) => {
      const events = (r.body && r.body.events) || [];
      views.overview.addEvents(events);
      connect();
    })
    .catch(() => undefined);
  refresh();
}

function connect() {
  // auth is a function so every reconnection sends the last id seen: the server replays the gap.
  socket = io('/events', {
    transports: ['websocket'],
    auth: (cb) => {
      const lastId = views.overview.lastId();
      cb(lastId > 0 ? { token, since: lastId } : { token });
    },
  });
  socket.on('connect', () => setConn('live'));
  socket.on('disconnect', () => setConn('reconnecting'));
  socket.on('connect_error', (err) => {
    if (err.data?.code === 'unauthorized') logout('the event stream refused the token');
    else setConn('offline');
  });
  socket.on('ready', () => refresh());
  socket.on('event', (e) => {
    if (!views.overview.addEvents([e])) return;
    if (REFRESHING.test(e.type)) scheduleRefresh();
  });
  socket.on('homelab', (snapshot) => views.homelab.snapshot(snapshot));
}

function setConn(state) {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = state;
}

function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refresh();
  }, 150);
}

/** The overview is always kept current (the status badge is in the header); the open view too. */
function refresh() {
  if (!token) return;
  views.overview.refresh();
  // Charts are redrawn only when opened: samples change once per routine cycle, not per event.
  if (current.name !== 'overview' && current.name !== 'node') views[current.name].refresh(current.param);
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem(KEY, token);
    $('token').value = '';
    flash('');
    start();
  });
  $('logout').addEventListener('click', () => logout('Token forgotten.'));
  window.addEventListener('hashchange', () => {
    if (token) route(true);
  });
  if (token) start();
  else logout();
});
