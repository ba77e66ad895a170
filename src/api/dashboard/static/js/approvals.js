// Approval cards: what would run (tool, tier, arguments, the tool's own plan text), who asked and
// until when the request is valid. Approving a red (destructive) call takes a second, explicit
// confirmation inside the card; nothing is approved by the first click.
import { el, link, relative, time } from './dom.js';

function field(dl, name, value, cls) {
  dl.append(el('dt', '', name), el('dd', cls, value));
}

function button(cls, text, onClick) {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** One card; `decide(id, 'approve' | 'deny')` sends the decision. */
function card(a, decide, incident) {
  const li = el('li', `approval tier-${a.tier || 'unknown'}`);
  li.dataset.id = a.id;
  li.dataset.tier = a.tier || 'unknown';
  const head = el('div', 'approval-head');
  head.appendChild(el('strong', '', a.tool));
  head.appendChild(el('span', `tier tier-${a.tier || 'unknown'}`, a.tier || 'tier unknown'));
  li.appendChild(head);
  li.appendChild(el('p', 'plan', a.plan));
  const dl = el('dl', 'fields');
  field(dl, 'arguments', JSON.stringify(a.args, null, 1), 'args');
  field(
    dl,
    'requested by',
    `${a.callerKind} ${a.callerId}${a.sessionId ? ` (session ${a.sessionId.slice(0, 8)}…)` : ''}`,
  );
  field(dl, 'requested', time(a.createdAt));
  field(dl, 'expires', `${time(a.expiresAt)} (${relative(a.expiresAt)})`);
  field(dl, 'id', a.id);
  if (incident) {
    dl.appendChild(el('dt', '', 'for incident'));
    const dd = el('dd');
    dd.appendChild(link(`#/incidents/${incident.id}`, incident.summary));
    dl.appendChild(dd);
  }
  li.appendChild(dl);

  const actions = el('div', 'row');
  const confirmBox = el('div', 'confirm');
  confirmBox.hidden = true;
  confirmBox.setAttribute('role', 'group');
  confirmBox.setAttribute('aria-label', `confirm approving ${a.tool}`);
  const warning = el(
    'p',
    'warning',
    `${a.tool} is a red (destructive) action. Approving lets ${a.callerKind} ${a.callerId} run it once: ${a.plan}`,
  );
  const yes = button('confirm-approve danger', `Yes, approve ${a.tool}`, () => decide(a.id, 'approve'));
  const cancel = button('confirm-cancel', 'Cancel', () => {
    confirmBox.hidden = true;
    approve.focus();
  });
  confirmBox.append(warning, yes, cancel);
  // Escape backs out of the confirmation, as it would close a dialog.
  confirmBox.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') cancel.click();
  });

  const approve = button('decide-approve', 'Approve', () => {
    if (a.tier !== 'red') {
      decide(a.id, 'approve');
      return;
    }
    confirmBox.hidden = false;
    yes.focus();
  });
  approve.setAttribute('aria-label', `Approve ${a.tool} (${a.id})`);
  const deny = button('decide-deny', 'Deny', () => decide(a.id, 'deny'));
  deny.setAttribute('aria-label', `Deny ${a.tool} (${a.id})`);
  actions.append(approve, deny);
  li.append(actions, confirmBox);
  return li;
}

/**
 * Renders the pending approvals into `list`, keeping the cards already shown (a refresh must not
 * close a confirmation the operator is reading, nor take the keyboard focus away): decided
 * requests' cards go, new requests' cards are added.
 */
export function renderApprovals(list, pending, decide, incidents = {}) {
  const ids = new Set((pending || []).map((a) => a.id));
  for (const li of [...list.children]) if (!ids.has(li.dataset.id)) li.remove();
  if (ids.size === 0) {
    list.appendChild(el('li', 'empty', 'none pending'));
    return;
  }
  const shown = new Set([...list.children].map((li) => li.dataset.id));
  for (const a of pending) if (!shown.has(a.id)) list.appendChild(card(a, decide, incidents[a.id]));
}
