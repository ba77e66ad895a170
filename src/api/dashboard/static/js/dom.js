// Small DOM helpers shared by the dashboard's views. Untrusted strings (event titles, plans, node
// names) only ever reach the page through textContent, never as markup.

/** The element with this id. */
export function $(id) {
  return document.getElementById(id);
}

/** A new element with an optional class and text. */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A link inside the dashboard (hash route), usable by keyboard like any link. */
export function link(href, text, cls) {
  const a = el('a', cls, text);
  a.href = href;
  return a;
}

/** Local time of day, or '' for a missing time. */
export function time(t) {
  if (t === null || t === undefined) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
}

/** Local date and time, or '' for a missing time. */
export function dateTime(t) {
  if (t === null || t === undefined) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString();
}

/** "in 5 min" / "3 min ago" / "just now", relative to now. */
export function relative(t, now = Date.now()) {
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  // Server and browser clocks differ by a little; a few seconds either way is "now".
  if (abs < 3) return 'just now';
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}

/** A percentage with one decimal, or '?' when unknown. */
export function pct(v) {
  return typeof v === 'number' ? `${v.toFixed(1)} %` : '?';
}

/** Replaces a list's items, or shows one muted item when there are none. */
export function fill(list, items, render, emptyText) {
  list.replaceChildren();
  if (!items || items.length === 0) {
    list.appendChild(el('li', 'empty', emptyText));
    return;
  }
  for (const item of items) list.appendChild(render(item));
}

/** The status message every view writes to (an ARIA live region). */
export function flash(text) {
  $('flash').textContent = text;
}
