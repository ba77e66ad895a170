// The homelab view: nodes (state, CPU, memory and root disk as bars), their guests and services,
// storage pools and HTTP checks, as the monitor last observed them (GET /api/homelab, then the
// `homelab` messages on /events). Every item that is not healthy says why and links to its incident.
import { $, el, fill, link, pct, relative, time } from './dom.js';

/** The open incident with this key, if any (keys are `condition:target`). */
function incidentFor(incidents, key) {
  return incidents.find((i) => i.key === key);
}

/** A "why" line: the reason in words, then the incident link when one is open. */
function problem(text, incident) {
  const p = el('p', 'problem');
  p.appendChild(el('span', '', text));
  if (incident) {
    p.appendChild(document.createTextNode(' — '));
    p.appendChild(link(`#/incidents/${incident.id}`, `incident #${incident.id} (${incident.status})`));
  }
  return p;
}

function bar(node, label, value, limit) {
  const row = el('div', 'metric');
  const name = el('span', 'metric-name', label);
  const meter = el('meter');
  meter.min = 0;
  meter.max = 100;
  if (limit) {
    meter.high = limit;
    meter.low = Math.min(limit, 70);
    meter.optimum = 0;
  }
  if (typeof value === 'number') meter.value = value;
  meter.setAttribute('aria-label', `${node} ${label}`);
  row.append(name, meter, el('span', 'metric-value', pct(value)));
  return row;
}

function stateChip(text, cls) {
  return el('span', `chip ${cls}`, text);
}

function renderGuest(g, incidents, nodeOnline) {
  const li = el('li', 'guest');
  li.dataset.vmid = String(g.vmid);
  const crashed = incidentFor(incidents, `guest.crashed:${g.vmid}`);
  const status = g.template ? 'template' : g.status;
  const bad = crashed || (g.status === 'unknown' && !g.template);
  li.appendChild(el('strong', '', `${g.vmid} ${g.name || ''}`.trim()));
  li.appendChild(stateChip(status, bad ? 'bad' : g.status === 'running' ? 'ok' : 'neutral'));
  li.appendChild(el('span', 'meta', g.type === 'lxc' ? 'CT' : 'VM'));
  if (g.ha) li.appendChild(stateChip('HA', 'neutral'));
  if (g.lock) li.appendChild(stateChip(`lock: ${g.lock}`, 'warn'));
  for (const t of g.tags || []) li.appendChild(el('span', 'tag', t));
  if (crashed) li.appendChild(problem(crashed.summary, crashed));
  // Behind an offline node every guest is unknown: the node's own line says why, once.
  else if (g.status === 'unknown' && nodeOnline)
    li.appendChild(problem('its node does not report it (is the node offline?)'));
  else if (g.lock) li.appendChild(problem(`locked (${g.lock}): power actions on it fail until the lock is released`));
  return li;
}

function renderNode(n, snapshot, incidents) {
  const t = snapshot.thresholds;
  const card = el('article', 'card node');
  card.dataset.node = n.name;
  const h = el('h3');
  h.appendChild(link(`#/nodes/${encodeURIComponent(n.name)}`, n.name));
  const unreachable = incidentFor(incidents, `node.unreachable:${n.name}`);
  h.appendChild(stateChip(n.online ? 'online' : 'offline', n.online ? 'ok' : 'bad'));
  card.appendChild(h);
  const problems = [];
  if (!n.online) {
    const ssh = n.sshReachable === false ? '; SSH does not answer' : n.sshReachable ? '; SSH answers' : '';
    problems.push(problem(`offline in the cluster${ssh}`, unreachable));
  }
  const disk = incidentFor(incidents, `disk.high:${n.name}`) || incidentFor(incidents, `disk.fill_predicted:${n.name}`);
  if (typeof n.diskPercent === 'number' && n.diskPercent >= t.diskPercent)
    problems.push(problem(`root disk ${pct(n.diskPercent)} used, at or over the ${t.diskPercent} % threshold`, disk));
  else if (disk) problems.push(problem(disk.summary, disk));
  const mem = incidentFor(incidents, `memory.high:${n.name}`);
  if (typeof n.memoryPercent === 'number' && n.memoryPercent >= t.memoryPercent)
    problems.push(problem(`memory ${pct(n.memoryPercent)} used, at or over the ${t.memoryPercent} % threshold`, mem));
  card.dataset.healthy = String(problems.length === 0);
  card.append(...problems);
  card.appendChild(bar(n.name, 'CPU', n.cpuPercent));
  card.appendChild(bar(n.name, 'memory', n.memoryPercent, t.memoryPercent));
  card.appendChild(bar(n.name, 'root disk', n.diskPercent, t.diskPercent));

  const units = Object.entries(n.services || {});
  if (units.length) {
    // An offline node's units cannot be read: what is shown is what was last seen.
    card.appendChild(el('h4', '', n.online ? 'Services' : 'Services (last seen before it went offline)'));
    const ul = el('ul', 'plain services');
    for (const [unit, state] of units) {
      const li = el('li');
      li.dataset.unit = unit;
      li.append(el('span', '', unit), stateChip(state, state === 'active' ? 'ok' : 'bad'));
      if (state !== 'active') {
        const inc = incidentFor(incidents, `service.failed:${n.name}/${unit}`);
        li.appendChild(problem(`systemd reports ${state}`, inc));
      }
      ul.appendChild(li);
    }
    card.appendChild(ul);
  }
  const guests = snapshot.guests.filter((g) => g.node === n.name);
  card.appendChild(el('h4', '', `Guests (${guests.length})`));
  const gl = el('ul', 'plain guests');
  fill(gl, guests, (g) => renderGuest(g, incidents, n.online), 'no guests');
  card.appendChild(gl);
  return card;
}

function renderStorage(s, t, nodeOnline) {
  const li = el('li');
  li.dataset.storage = `${s.node}/${s.storage}`;
  li.appendChild(el('strong', '', `${s.storage} on ${s.node}`));
  li.appendChild(el('span', 'meta', `${s.plugintype || 'storage'}${s.shared ? ', shared' : ''}`));
  li.appendChild(stateChip(s.status, s.status === 'available' ? 'ok' : 'bad'));
  li.appendChild(bar(`${s.storage} on ${s.node}`, 'used', s.usedPercent, t.diskPercent));
  if (s.status !== 'available')
    li.appendChild(problem(nodeOnline ? `Proxmox reports the pool as ${s.status}` : `its node ${s.node} is offline`));
  else if (typeof s.usedPercent === 'number' && s.usedPercent >= t.diskPercent)
    li.appendChild(problem(`${pct(s.usedPercent)} used, at or over the ${t.diskPercent} % threshold`));
  return li;
}

function renderCheck(c, incidents) {
  const li = el('li');
  li.dataset.check = c.name;
  li.appendChild(el('strong', '', c.name));
  li.appendChild(stateChip(c.ok ? 'up' : 'down', c.ok ? 'ok' : 'bad'));
  if (c.service) li.appendChild(el('span', 'meta', `serves ${c.service}${c.node ? ` on ${c.node}` : ''}`));
  if (!c.ok) li.appendChild(problem(c.error || 'the check failed', incidentFor(incidents, `http.down:${c.name}`)));
  return li;
}

/** Creates the homelab view. */
export function createHomelabView(ctx) {
  let snapshot = null;
  let incidents = [];

  function render() {
    const meta = $('homelab-meta');
    if (!snapshot) {
      meta.textContent = 'No monitor runs in this daemon, so there is no observation to show.';
      return;
    }
    const when = [
      snapshot.criticalAt ? `cluster read ${relative(snapshot.criticalAt)} (${time(snapshot.criticalAt)})` : null,
      snapshot.routineAt ? `disks, services and HTTP read ${relative(snapshot.routineAt)}` : 'services not read yet',
    ].filter(Boolean);
    meta.textContent =
      snapshot.criticalAt === null && snapshot.routineAt === null
        ? 'Waiting for the monitor’s first cycle…'
        : `${snapshot.clusterReadable ? '' : 'The Proxmox API could not be read on the last cycle; showing what was seen before. '}${when.join('; ')}.`;
    const nodes = $('homelab-nodes');
    nodes.replaceChildren(...snapshot.nodes.map((n) => renderNode(n, snapshot, incidents)));
    if (snapshot.nodes.length === 0) nodes.appendChild(el('p', 'muted', 'no nodes observed'));
    fill(
      $('homelab-storage'),
      snapshot.storage,
      (s) => renderStorage(s, snapshot.thresholds, snapshot.nodes.find((n) => n.name === s.node)?.online !== false),
      'no storage reported',
    );
    fill($('homelab-http'), snapshot.http, (c) => renderCheck(c, incidents), 'no HTTP checks configured or read yet');
  }

  return {
    title: () => 'homelab',
    show() {
      this.refresh();
    },
    refresh() {
      ctx.optional('/api/homelab').then((r) => {
        if (!r) return;
        snapshot = r.snapshot;
        incidents = r.incidents;
        render();
      });
    },
    /** A `homelab` message from the stream: the newest observation. */
    snapshot(s) {
      snapshot = s;
      if (!$('view-homelab').hidden) render();
    },
  };
}
