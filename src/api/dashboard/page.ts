/**
 * The dashboard's HTML and CSS, embedded as strings so that `tsc` output alone is a working
 * daemon (no asset copy step, nothing for a user to build). Every dynamic value is written with
 * `textContent` by dashboard.js; this markup has no templated parts.
 */

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vigil</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
<script src="/socket.io/socket.io.min.js" defer></script>
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>vigil</h1>
  <span id="overall" class="badge unknown" data-status="unknown">…</span>
  <span id="conn" class="muted" data-state="offline">offline</span>
  <button id="logout" type="button" hidden>forget token</button>
</header>
<section id="login" hidden>
  <form id="login-form">
    <label for="token">Operator token</label>
    <input id="token" type="password" autocomplete="off" required minlength="8">
    <button type="submit">Open dashboard</button>
    <p id="login-message" class="muted">The token stays in this tab (sessionStorage) and is sent only to this server.</p>
  </form>
</section>
<main id="app" hidden>
  <p id="flash" role="status"></p>
  <section class="panel" id="status-panel">
    <h2>Status</h2>
    <ul id="reasons"></ul>
    <div class="row">
      <strong>Kill switch</strong>
      <span id="ks-state" data-active="unknown">…</span>
      <select id="ks-scope" aria-label="kill switch scope">
        <option value="autonomy">autonomy (monitor stops acting)</option>
        <option value="all">all (freeze every action)</option>
      </select>
      <input id="ks-reason" placeholder="reason" maxlength="500">
      <button id="ks-toggle" type="button">…</button>
    </div>
    <div class="row">
      <strong>Autonomy level</strong>
      <span id="autonomy-state">…</span>
      <select id="autonomy-level" aria-label="autonomy level">
        <option value="0">0 observe</option>
        <option value="1">1 notify</option>
        <option value="2">2 propose</option>
        <option value="3">3 act on yellow</option>
        <option value="4">4 act on red (runbooks that opt in)</option>
      </select>
      <button id="autonomy-apply" type="button">Set level</button>
    </div>
    <div class="row"><strong>Monitor</strong> <span id="monitor-state">…</span></div>
  </section>
  <section class="panel">
    <h2>Pending approvals</h2>
    <ul id="approvals" class="list"></ul>
  </section>
  <section class="panel">
    <h2>Open incidents</h2>
    <ul id="incidents" class="list"></ul>
  </section>
  <section class="panel">
    <h2>Recent autonomous actions</h2>
    <ul id="actions" class="list"></ul>
  </section>
  <section class="panel wide">
    <h2>Live events</h2>
    <ol id="events" class="list"></ol>
  </section>
</main>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: #f6f8fa; }
header { display: flex; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.2rem; margin: 0; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
.badge { padding: .15rem .6rem; border-radius: 1rem; font-weight: 600; color: #fff; background: var(--muted); }
.badge.healthy { background: var(--ok); } .badge.degraded { background: var(--warn); } .badge.critical { background: var(--bad); }
.muted { color: var(--muted); }
#conn[data-state="live"] { color: var(--ok); }
#logout { margin-left: auto; }
#login { max-width: 28rem; margin: 3rem auto; background: #fff; padding: 1.5rem; border: 1px solid var(--line); border-radius: 6px; }
#login input { width: 100%; margin: .4rem 0 .8rem; padding: .4rem; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; padding: 1rem; }
#flash { grid-column: 1 / -1; margin: 0; min-height: 1.2em; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .4rem 0; }
.list { list-style: none; margin: 0; padding: 0; max-height: 28rem; overflow: auto; }
.list li { padding: .35rem 0; border-bottom: 1px solid #eaeef2; overflow-wrap: anywhere; }
.list li.empty { color: var(--muted); border: 0; }
.sev-warning { border-left: 3px solid var(--warn); padding-left: .4rem !important; }
.sev-critical { border-left: 3px solid var(--bad); padding-left: .4rem !important; }
.sev-info { border-left: 3px solid var(--line); padding-left: .4rem !important; }
.meta { color: var(--muted); font-size: .85em; margin-right: .4rem; }
#ks-state[data-active="true"] { color: var(--bad); font-weight: 600; }
button { cursor: pointer; }
`;
