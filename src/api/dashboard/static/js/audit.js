// The audit view: rows of the hash-chained audit log filtered by tool, caller and outcome
// (GET /api/audit/search), and whether the chain verifies (GET /api/audit/verify).
import { $, dateTime, el } from './dom.js';

const OUTCOMES = ['ok', 'error', 'timeout', 'not_run', 'blocked', 'denied', 'pending', 'invalid', 'dry_run'];

function row(r) {
  const li = el('li', r.outcome === 'ok' ? 'sev-info' : r.outcome === 'error' ? 'sev-critical' : 'sev-warning');
  li.dataset.id = String(r.id);
  li.dataset.tool = r.tool;
  li.dataset.outcome = r.outcome;
  li.appendChild(el('span', 'meta', `#${r.id} ${dateTime(r.at)}`));
  li.appendChild(el('strong', '', r.tool));
  li.appendChild(el('span', `tier tier-${r.tier || 'unknown'}`, r.tier || 'no tier'));
  li.appendChild(el('span', '', ` ${r.callerKind}:${r.callerId} → ${r.decision}, ${r.outcome}`));
  const detail = [JSON.stringify(r.args), r.error, r.approvalId ? `approval ${r.approvalId}` : null].filter(Boolean);
  li.appendChild(el('div', 'meta', detail.join(' · ')));
  return li;
}

/** Creates the audit view. */
export function createAuditView(ctx) {
  let loadedTools = false;
  let nextBefore = null;

  function query(before) {
    const q = new URLSearchParams({ limit: '50' });
    for (const [name, id] of [
      ['tool', 'audit-tool'],
      ['caller', 'audit-caller'],
      ['outcome', 'audit-outcome'],
    ]) {
      const v = $(id).value.trim();
      if (v) q.set(name, v);
    }
    if (before) q.set('before', String(before));
    return q.toString();
  }

  function search(append) {
    ctx.api('GET', `/api/audit/search?${query(append ? nextBefore : null)}`).then(
      (r) => {
        const list = $('audit-rows');
        if (r.status !== 200) {
          $('audit-count').textContent = r.body.error || `failed (${r.status})`;
          return;
        }
        if (!append) list.replaceChildren();
        list.append(...r.body.entries.map(row));
        nextBefore = r.body.nextBefore;
        $('audit-more').hidden = nextBefore === null;
        const n = list.children.length;
        $('audit-count').textContent = n === 0 ? 'no rows match' : `${n} row(s)${nextBefore ? ', more below' : ''}`;
      },
      () => undefined,
    );
  }

  function verify() {
    const out = $('audit-chain');
    out.textContent = 'verifying…';
    ctx.api('GET', '/api/audit/verify').then(
      (r) => {
        const v = r.body.verification;
        out.dataset.ok = String(!!(v && v.ok));
        out.textContent = !v
          ? `failed (${r.status})`
          : v.ok
            ? `chain intact: ${v.rows} row(s) verified at ${dateTime(r.body.checkedAt)}`
            : `chain BROKEN at row ${v.firstBadId ?? '?'}: ${v.reason} (${v.rows} row(s) read)`;
      },
      () => undefined,
    );
  }

  function loadTools() {
    if (loadedTools) return;
    loadedTools = true;
    ctx.optional('/api/tools').then((r) => {
      if (!r) return;
      const select = $('audit-tool');
      for (const t of r.tools) {
        const o = el('option', '', `${t.name} (${t.tier})`);
        o.value = t.name;
        select.appendChild(o);
      }
    });
    const outcome = $('audit-outcome');
    for (const o of OUTCOMES) {
      const opt = el('option', '', o);
      opt.value = o;
      outcome.appendChild(opt);
    }
  }

  $('audit-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    search(false);
  });
  $('audit-more').addEventListener('click', () => search(true));
  $('audit-verify').addEventListener('click', verify);

  return {
    title: () => 'audit',
    show() {
      loadTools();
      search(false);
      verify();
    },
    refresh() {
      search(false);
    },
  };
}
