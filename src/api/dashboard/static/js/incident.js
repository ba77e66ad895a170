// The incident page: what was detected, each action vigil took (with its audit row), the
// verification, resolution or escalation, and what vigil will do next (GET /api/incidents/:id/timeline).
import { $, dateTime, el, link, relative, time } from './dom.js';

function auditLine(a) {
  const p = el('p', 'meta');
  p.appendChild(link(`#/audit`, `audit #${a.id}`));
  p.appendChild(
    document.createTextNode(
      `: ${a.tool} (${a.tier || 'no tier'}) by ${a.callerKind}:${a.callerId} → ${a.decision}, ${a.outcome}${a.error ? ` — ${a.error}` : ''}`,
    ),
  );
  return p;
}

function entry(e) {
  const li = el('li', `tl tl-${e.kind}${e.result ? ` result-${e.result}` : ''}`);
  li.dataset.kind = e.kind;
  li.appendChild(el('span', 'tl-time', time(e.at)));
  const body = el('div', 'tl-body');
  body.appendChild(el('strong', '', e.title));
  if (e.detail) body.appendChild(el('p', '', e.detail));
  if (e.audit) body.appendChild(auditLine(e.audit));
  else if (e.kind === 'action') body.appendChild(el('p', 'meta', 'no audit row (the call did not reach the pipeline)'));
  if (e.approvalId) body.appendChild(el('p', 'meta', `approval ${e.approvalId}`));
  li.appendChild(body);
  return li;
}

/** Creates the incident view. */
export function createIncidentView(ctx) {
  let shownId = null;

  function render(r) {
    const i = r.incident;
    $('incident-title').textContent = i.summary;
    const status = $('incident-status');
    status.textContent = i.status + (i.flapping ? ', flapping' : '');
    status.className = `chip ${i.status === 'resolved' ? 'ok' : i.status === 'escalated' ? 'bad' : 'warn'}`;
    status.dataset.status = i.status;
    const facts = [
      `key ${i.key}`,
      `since ${dateTime(i.firstSeen)}`,
      `last seen ${relative(i.lastSeen)}`,
      `${i.attempts} attempt(s)`,
    ];
    if (r.runbook) facts.push(`runbook ${r.runbook.name}: ${r.runbook.description}`);
    $('incident-facts').textContent = facts.join(' · ');
    const next = $('incident-next');
    next.dataset.state = r.next.state;
    next.textContent = r.next.text + (r.next.at ? ` (at ${dateTime(r.next.at)}, ${relative(r.next.at)})` : '');
    $('incident-timeline').replaceChildren(...r.timeline.map(entry));
  }

  return {
    title: (id) => `incident #${id}`,
    show(id) {
      if (id !== shownId) {
        $('incident-title').textContent = `Incident #${id}`;
        $('incident-timeline').replaceChildren();
        $('incident-next').textContent = '…';
      }
      shownId = id;
      this.refresh(id);
    },
    refresh(id) {
      ctx.api('GET', `/api/incidents/${id}/timeline`).then(
        (r) => {
          if (id !== shownId) return;
          if (r.status === 200) render(r.body);
          else $('incident-facts').textContent = r.body.error || `failed (${r.status})`;
        },
        () => undefined,
      );
    },
  };
}
