(function () {
  'use strict';
  var KEY = 'vigil.operatorToken';
  var MAX_EVENTS = 200;
  var REFRESHING = /^(incident|remediation|approval|killswitch|autonomy|tool)\./;
  var token = sessionStorage.getItem(KEY);
  var lastId = 0;
  var socket = null;
  var refreshTimer = null;
  var killSwitch = null;
  var shownLevel = null;

  function $(id) {
    return document.getElementById(id);
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function time(t) {
    if (t === null || t === undefined) return '';
    var d = new Date(t);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
  }
  function flash(text) {
    $('flash').textContent = text;
  }
  function fill(list, items, render, emptyText) {
    list.replaceChildren();
    if (!items || items.length === 0) {
      list.appendChild(el('li', 'empty', emptyText));
      return;
    }
    items.forEach(function (item) {
      list.appendChild(render(item));
    });
  }

  function api(method, path, body) {
    var init = { method: method, headers: { authorization: 'Bearer ' + token } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          if (res.status === 401 || res.status === 403) {
            logout('that token was refused: ' + (json.error || res.status));
            throw new Error('unauthorized');
          }
          return { status: res.status, body: json };
        });
    });
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
    $('login').hidden = false;
    $('login-message').textContent = message || 'Enter the operator token.';
    $('token').focus();
  }

  function start() {
    $('login').hidden = true;
    $('app').hidden = false;
    $('logout').hidden = false;
    api('GET', '/api/events?limit=50')
      .then(function (r) {
        var events = (r.body && r.body.events) || [];
        events.forEach(addEvent);
        connect();
      })
      .catch(function () {
        return undefined;
      });
    refresh();
  }

  function connect() {
    // auth is a function so every reconnection sends the last id seen: the server replays the gap.
    socket = io('/events', {
      transports: ['websocket'],
      auth: function (cb) {
        cb(lastId > 0 ? { token: token, since: lastId } : { token: token });
      },
    });
    socket.on('connect', function () {
      setConn('live');
    });
    socket.on('disconnect', function () {
      setConn('reconnecting');
    });
    socket.on('connect_error', function (err) {
      if (/^unauthorized/.test(err.message)) logout('the event stream refused the token');
      else setConn('offline');
    });
    socket.on('ready', function () {
      refresh();
    });
    socket.on('event', addEvent);
  }
  function setConn(state) {
    var c = $('conn');
    c.dataset.state = state;
    c.textContent = state;
  }

  function addEvent(e) {
    if (!e || typeof e.id !== 'number' || e.id <= lastId) return;
    lastId = e.id;
    var li = el('li', 'sev-' + e.severity);
    li.dataset.type = e.type;
    li.dataset.id = String(e.id);
    li.appendChild(el('span', 'meta', '#' + e.id + ' ' + time(e.at) + ' ' + e.type));
    li.appendChild(el('strong', '', e.title));
    if (e.message) li.appendChild(el('div', 'muted', e.message));
    var list = $('events');
    var empty = list.querySelector('.empty');
    if (empty) empty.remove();
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.lastChild.remove();
    if (REFRESHING.test(e.type)) scheduleRefresh();
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refresh();
    }, 150);
  }

  function optional(path) {
    return api('GET', path).then(
      function (r) {
        return r.status === 200 ? r.body : null;
      },
      function () {
        return null;
      },
    );
  }

  function refresh() {
    if (!token) return;
    Promise.all([
      optional('/api/monitor/status'),
      optional('/api/approvals'),
      optional('/api/incidents?active=true&limit=50'),
      optional('/api/monitor/actions?limit=20'),
    ]).then(function (r) {
      render(r[0] && r[0].data, r[1], r[2], r[3]);
    });
  }

  function listOf(body, key) {
    if (!body) return null;
    var data = body.data || body;
    return Array.isArray(data[key]) ? data[key] : [];
  }

  function render(status, approvals, incidentsBody, actionsBody) {
    var incidents = listOf(incidentsBody, 'incidents');
    var actions = listOf(actionsBody, 'actions');
    if (status) {
      killSwitch = status.killSwitch;
      var ks = $('ks-state');
      ks.dataset.active = String(!!killSwitch.active);
      ks.textContent = killSwitch.active
        ? 'ON (' + killSwitch.scope + ')' + (killSwitch.reason ? ': ' + killSwitch.reason : '')
        : 'off';
      $('ks-toggle').textContent = killSwitch.active ? 'Release kill switch' : 'Engage kill switch';
      $('autonomy-state').textContent = String(status.autonomyLevel);
      // Only follow changes of the level itself: a refresh must not undo what the user is choosing.
      if (status.autonomyLevel !== shownLevel) {
        shownLevel = status.autonomyLevel;
        $('autonomy-level').value = String(shownLevel);
      }
      var m = status.monitor || {};
      $('monitor-state').textContent =
        (m.running ? 'running' : 'not running') + (m.detail ? ' (' + m.detail + ')' : '');
      var verdict = overall(status, incidents || []);
      var badge = $('overall');
      badge.className = 'badge ' + verdict.status;
      badge.dataset.status = verdict.status;
      badge.textContent = verdict.status;
      fill(
        $('reasons'),
        verdict.reasons,
        function (r) {
          return el('li', '', r);
        },
        'all clear',
      );
    }
    if (approvals) {
      fill(
        $('approvals'),
        approvals.pending,
        function (a) {
          var li = el('li');
          li.dataset.id = a.id;
          li.appendChild(el('strong', '', a.tool));
          li.appendChild(el('div', '', a.plan));
          li.appendChild(
            el('span', 'meta', a.id + ' · ' + a.callerKind + ' ' + a.callerId + ' · expires ' + time(a.expiresAt)),
          );
          ['approve', 'deny'].forEach(function (verdict) {
            var b = el('button', 'decide-' + verdict, verdict === 'approve' ? 'Approve' : 'Deny');
            b.type = 'button';
            b.addEventListener('click', function () {
              decide(a.id, verdict);
            });
            li.appendChild(b);
          });
          return li;
        },
        'none pending',
      );
    }
    if (incidents) fill($('incidents'), incidents, renderIncident, 'no open incidents');
    else fill($('incidents'), [], null, 'incidents are not available from this daemon');
    if (actions) fill($('actions'), actions, renderAction, 'no autonomous actions yet');
    else fill($('actions'), [], null, 'autonomous actions are not available from this daemon');
  }

  function renderIncident(i) {
    var li = el('li', 'sev-' + (i.status === 'escalated' ? 'critical' : i.severity));
    li.dataset.key = i.key;
    li.dataset.status = i.status;
    li.appendChild(el('strong', '', i.summary));
    li.appendChild(
      el(
        'div',
        'meta',
        [
          i.status + (i.flapping ? ', flapping' : ''),
          i.key,
          'since ' + time(i.firstSeen),
          i.attempts + ' attempt(s)',
        ].join(' · '),
      ),
    );
    return li;
  }
  function renderAction(a) {
    var li = el('li', a.result === 'succeeded' ? 'sev-info' : a.result === 'running' ? '' : 'sev-warning');
    li.dataset.key = a.incidentKey;
    li.dataset.result = a.result;
    li.appendChild(el('span', 'meta', time(a.startedAt)));
    li.appendChild(el('strong', '', a.runbook + (a.tool ? ': ' + a.tool : '')));
    li.appendChild(el('span', '', ' → ' + a.result));
    li.appendChild(
      el('div', 'meta', a.incidentKey + (a.verification ? ' · ' + a.verification : a.detail ? ' · ' + a.detail : '')),
    );
    return li;
  }

  // Overall status: critical when everything is frozen or an incident is critical; degraded
  // when anything needs an operator's eye; healthy otherwise. Reasons are listed beside it.
  function overall(status, incidents) {
    var reasons = [];
    var level = 'healthy';
    function raise(to, why) {
      reasons.push(why);
      if (to === 'critical' || level === 'healthy') level = to;
    }
    var ks = status.killSwitch || {};
    if (ks.active && ks.scope === 'all') raise('critical', 'kill switch ON (all): every action is frozen');
    else if (ks.active) raise('degraded', 'kill switch ON (autonomy): the monitor will not act');
    // An escalated incident is one vigil gave up on: someone has to look now.
    var critical = incidents.filter(function (i) {
      return i.severity === 'critical' || i.status === 'escalated';
    }).length;
    if (critical > 0) raise('critical', critical + ' critical or escalated incident(s) open');
    if (incidents.length > critical) raise('degraded', incidents.length - critical + ' incident(s) open');
    var pending = (status.pendingApprovals || []).length;
    if (pending > 0) raise('degraded', pending + ' approval(s) waiting for an operator');
    if (status.monitor && !status.monitor.running) raise('degraded', 'the monitor is not running');
    return { status: level, reasons: reasons };
  }

  function report(r, done) {
    var b = r.body || {};
    flash(
      r.status < 300 ? done + (b.text ? ': ' + b.text : '') : 'failed (' + r.status + '): ' + (b.error || b.text || ''),
    );
    refresh();
  }

  function decide(id, verdict) {
    api('POST', '/api/approvals/' + encodeURIComponent(id) + '/' + verdict).then(function (r) {
      report(r, verdict === 'approve' ? 'approved' : 'denied');
    });
  }

  function toggleKillSwitch() {
    var reason = $('ks-reason').value;
    if (killSwitch && killSwitch.active) {
      if (!window.confirm('Release the kill switch? The monitor may act on its own again.')) {
        flash('kill switch left on');
        return;
      }
      api('PUT', '/api/monitor/killswitch', { active: false, reason: reason }).then(function (r) {
        report(r, 'kill switch released');
      });
    } else {
      api('PUT', '/api/monitor/killswitch', { active: true, scope: $('ks-scope').value, reason: reason }).then(
        function (r) {
          report(r, 'kill switch engaged');
        },
      );
    }
  }

  function setLevel() {
    api('PUT', '/api/monitor/autonomy-level', { level: Number($('autonomy-level').value) }).then(function (r) {
      report(r, 'autonomy level set');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      token = $('token').value.trim();
      sessionStorage.setItem(KEY, token);
      $('token').value = '';
      start();
    });
    $('logout').addEventListener('click', function () {
      logout('Token forgotten.');
    });
    $('ks-toggle').addEventListener('click', toggleKillSwitch);
    $('autonomy-apply').addEventListener('click', setLevel);
    if (token) start();
    else logout();
  });
})();
