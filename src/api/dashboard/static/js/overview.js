// The overview: overall status with its reasons, kill switch and autonomy level, approval cards,
// open incidents, recent autonomous actions and the live event list.
import { $, el, fill, flash, link, relative, time } from './dom.js';
import { renderApprovals } from './approvals.js';

const MAX_EVENTS = 200;

/** Overall status: critical when everything is frozen or an incident is critical or escalated. */
export function overall(status, incidents) {
  const reasons = [];
  let level = 'healthy';
  const raise = (to, why) => {
    reasons.push(why);
    if (to === 'critical' || level === 'healthy') level = to;
  };
  const ks = status.killSwitch || {};
  if (ks.active && ks.scope === 'all') raise('critical', 'kill switch ON (all): every action is frozen');
  else if (ks.active) raise('degraded', 'kill switch ON (autonomy): the monitor will not act');
  // An escalated incident is one vigil gave up on: someone has to look now.
  const critical = incidents.filter((i) => i.severity === 'critical' || i.status === 'escalated');
  const others = incidents.filter((i) => !critical.includes(i));
  if (critical.length > 0) raise('critical', `${critical.length} critical or escalated incident(s) open`);
  if (others.length > 0) raise('degraded', `${others.length} incident(s) open`);
  // Say why, not only how many: each open incident's own summary.
  for (const i of [...critical, ...others]) reasons.push(`${i.status}: ${i.summary}`);
  const pending = (status.pendingApprovals || []).length;
  if (pending > 0) raise('degraded', `${pending} approval(s) waiting for an operator`);
  if (status.monitor && !status.monitor.running) raise('degraded', 'the monitor is not running');
  const ha = status.ha;
  if (ha && ha.engine === 'postgres' && !ha.daemons.some((d) => d.role === 'leader'))
    raise('degraded', 'no daemon leads: nothing acts on incidents until one takes the lock');
  return { status: level, reasons };
}

/**
 * The engine and, on a shared PostgreSQL, this daemon's role, who leads since when under which
 * epoch, and when each standby last beat (GET /api/overview status.ha).
 */
export function haSummary(ha, now = Date.now()) {
  if (!ha) return 'unknown';
  if (ha.engine === 'sqlite') return 'SQLite (one daemon, no standby)';
  if (ha.error) return `PostgreSQL · this daemon: ${ha.role} · ${ha.error}`;
  const live = ha.daemons.filter((d) => d.role !== 'stopped');
  const leader = live.find((d) => d.role === 'leader');
  const parts = [
    `this daemon: ${ha.role}`,
    leader
      ? `leader ${leader.host} pid ${leader.pid} since ${time(leader.since)} (epoch ${leader.epoch})`
      : 'no leader',
    ...live
      .filter((d) => d.role === 'standby')
      .map((d) => `standby ${d.host} pid ${d.pid}, last heartbeat ${relative(d.lastBeat, now)}`),
  ];
  return `PostgreSQL · ${parts.join(' · ')}`;
}

function renderIncident(i) {
  const li = el('li', `sev-${i.status === 'escalated' ? 'critical' : i.severity}`);
  li.dataset.key = i.key;
  li.dataset.status = i.status;
  li.appendChild(link(`#/incidents/${i.id}`, i.summary, 'strong'));
  const meta = [
    i.status + (i.flapping ? ', flapping' : ''),
    i.key,
    `since ${time(i.firstSeen)}`,
    `${i.attempts} attempt(s)`,
  ];
  li.appendChild(el('div', 'meta', meta.join(' · ')));
  if (i.next) {
    const next = el('div', `next-line next-${i.next.state}`, `next: ${i.next.text}`);
    if (i.next.at) next.textContent += ` (at ${time(i.next.at)})`;
    li.appendChild(next);
  }
  return li;
}

function renderAction(a) {
  const li = el('li', a.result === 'succeeded' ? 'sev-info' : a.result === 'running' ? '' : 'sev-warning');
  li.dataset.key = a.incidentKey;
  li.dataset.result = a.result;
  li.appendChild(el('span', 'meta', time(a.startedAt)));
  li.appendChild(link(`#/incidents/${a.incidentId}`, a.runbook + (a.tool ? `: ${a.tool}` : ''), 'strong'));
  li.appendChild(el('span', '', ` → ${a.result}`));
  const why = a.verification || a.detail;
  li.appendChild(el('div', 'meta', a.incidentKey + (why ? ` · ${why}` : '')));
  return li;
}

/** Creates the overview; `ctx` has api/optional/refresh from main.js. */
export function createOverview(ctx) {
  let lastId = 0;
  let killSwitch = null;
  let shownLevel = null;
  // The approval a deep link (#/approvals/apr_…) asked for, until its card is shown or found gone.
  let focusId = null;
  let expiryTimer = null;

  function report(r, done) {
    const b = r.body || {};
    flash(r.status < 300 ? done + (b.text ? `: ${b.text}` : '') : `failed (${r.status}): ${b.error || b.text || ''}`);
    ctx.refresh();
  }

  function render(status, approvals, incidents, actions) {
    if (status) {
      killSwitch = status.killSwitch;
      const ks = $('ks-state');
      ks.dataset.active = String(!!killSwitch.active);
      ks.textContent = killSwitch.active
        ? `ON (${killSwitch.scope})${killSwitch.reason ? `: ${killSwitch.reason}` : ''}`
        : 'off';
      $('ks-toggle').textContent = killSwitch.active ? 'Release kill switch' : 'Engage kill switch';
      $('autonomy-state').textContent = String(status.autonomyLevel);
      // Only follow changes of the level itself: a refresh must not undo what the user is choosing.
      if (status.autonomyLevel !== shownLevel) {
        shownLevel = status.autonomyLevel;
        $('autonomy-level').value = String(shownLevel);
      }
      const m = status.monitor || {};
      $('monitor-state').textContent = (m.running ? 'running' : 'not running') + (m.detail ? ` (${m.detail})` : '');
      const ha = $('ha-state');
      ha.textContent = haSummary(status.ha);
      ha.dataset.engine = status.ha ? status.ha.engine : '';
      ha.dataset.role = status.ha ? status.ha.role : '';
      const verdict = overall(status, incidents || []);
      const badge = $('overall');
      badge.className = `badge ${verdict.status}`;
      badge.dataset.status = verdict.status;
      badge.textContent = verdict.status;
      badge.title = verdict.reasons.join('\n') || 'all clear';
      fill($('reasons'), verdict.reasons, (r) => el('li', '', r), 'all clear');
    }
    // A monitor's approval request belongs to an incident: its card links there.
    const byApproval = Object.fromEntries((incidents || []).filter((i) => i.approvalId).map((i) => [i.approvalId, i]));
    if (approvals) {
      renderApprovals($('approvals'), approvals, decide, byApproval);
      focusLinked();
      refreshAtExpiry(approvals);
    }
    if (incidents) fill($('incidents'), incidents, renderIncident, 'no open incidents');
    else fill($('incidents'), [], null, 'incidents are not available from this daemon');
    if (actions) fill($('actions'), actions, renderAction, 'no autonomous actions yet');
    else fill($('actions'), [], null, 'autonomous actions are not available from this daemon');
  }

  /** Brings the deep-linked approval's card into view and focus, or says it is no longer waiting. */
  function focusLinked() {
    if (!focusId) return;
    const id = focusId;
    focusId = null;
    const li = [...$('approvals').children].find((c) => c.dataset.id === id);
    if (!li) {
      flash(`approval ${id} is not waiting any more: it was decided, used or has expired`);
      return;
    }
    li.classList.add('linked');
    li.scrollIntoView({ block: 'center' });
    li.querySelector('.decide-approve')?.focus();
  }

  /** An approval that expires leaves the list without an event: refresh when the first one does. */
  function refreshAtExpiry(approvals) {
    clearTimeout(expiryTimer);
    const soonest = Math.min(...approvals.map((a) => a.expiresAt));
    if (!Number.isFinite(soonest)) return;
    const wait = Math.min(Math.max(soonest - Date.now(), 0) + 1000, 2 ** 31 - 1);
    expiryTimer = setTimeout(() => ctx.refresh(), wait);
  }

  function decide(id, verdict) {
    ctx
      .api('POST', `/api/approvals/${encodeURIComponent(id)}/${verdict}`)
      .then((r) => report(r, verdict === 'approve' ? 'approved' : 'denied'));
  }

  function toggleKillSwitch() {
    const reason = $('ks-reason').value;
    if (killSwitch && killSwitch.active) {
      if (!window.confirm('Release the kill switch? The monitor may act on its own again.')) {
        flash('kill switch left on');
        return;
      }
      ctx
        .api('PUT', '/api/monitor/killswitch', { active: false, reason })
        .then((r) => report(r, 'kill switch released'));
    } else {
      ctx
        .api('PUT', '/api/monitor/killswitch', { active: true, scope: $('ks-scope').value, reason })
        .then((r) => report(r, 'kill switch engaged'));
    }
  }

  function setLevel() {
    ctx
      .api('PUT', '/api/monitor/autonomy-level', { level: Number($('autonomy-level').value) })
      .then((r) => report(r, 'autonomy level set'));
  }

  $('ks-toggle').addEventListener('click', toggleKillSwitch);
  $('autonomy-apply').addEventListener('click', setLevel);

  return {
    title: (id) => (id ? `approval ${id}` : 'overview'),
    show(id) {
      focusId = id;
      if (id) ctx.refresh();
    },
    lastId: () => lastId,
    /** Adds events (oldest first) to the live list; returns whether any was new. */
    addEvents(events) {
      let added = false;
      const list = $('events');
      for (const e of events) {
        if (!e || typeof e.id !== 'number' || e.id <= lastId) continue;
        lastId = e.id;
        added = true;
        const li = el('li', `sev-${e.severity}`);
        li.dataset.type = e.type;
        li.dataset.id = String(e.id);
        li.appendChild(el('span', 'meta', `#${e.id} ${time(e.at)} ${e.type}`));
        li.appendChild(el('strong', '', e.title));
        if (e.message) li.appendChild(el('div', 'muted', e.message));
        list.querySelector('.empty')?.remove();
        list.insertBefore(li, list.firstChild);
      }
      while (list.children.length > MAX_EVENTS) list.lastChild.remove();
      return added;
    },
    refresh() {
      // One read of the stores (GET /api/overview), not the tools: refreshes add no audit rows.
      ctx.optional('/api/overview').then((o) => {
        if (o) render(o.status, o.status.pendingApprovals, o.incidents, o.actions);
      });
    },
  };
}
