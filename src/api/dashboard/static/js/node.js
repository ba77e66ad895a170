// A node's page: disk and memory history from the stored samples (uPlot, served from the
// installed package), with the fitted trend the forecast uses, the threshold, and the predicted
// day the disk is full (GET /api/nodes/:node/history).
import uPlot from '/vendor/uPlot.esm.js';
import { $, dateTime, el, link, pct } from './dom.js';

const DAY_MS = 86_400_000;
const METRICS = [
  { metric: 'disk.percent', label: 'root disk' },
  { metric: 'memory.percent', label: 'memory' },
];

/** x (seconds) and the measured, trend and threshold series for uPlot; null where a series has no value. */
export function plotData(h) {
  const xs = h.points.map((p) => p.at);
  const t = h.trend;
  let end = null;
  if (t && t.slopePerDay > 0) {
    const span = Math.max(DAY_MS, h.at - (xs[0] ?? h.at));
    // Draw the trend to the day of full when it is near enough to see, else half a span ahead.
    end = t.fullAt !== null && t.fullAt - h.at <= span ? t.fullAt : h.at + span / 2;
    xs.push(end);
  }
  const trendAt = (x) =>
    t && x >= t.from ? Math.min(100, Math.max(0, t.fittedNow + (t.slopePerDay * (x - h.at)) / DAY_MS)) : null;
  return [
    xs.map((x) => x / 1000),
    xs.map((x, i) => (i < h.points.length ? h.points[i].value : null)),
    xs.map(trendAt),
    xs.map(() => h.threshold),
  ];
}

function summary(h, label) {
  const last = h.points[h.points.length - 1];
  const parts = [last ? `${label} ${pct(last.value)} at ${dateTime(last.at)}` : `no ${label} samples stored yet`];
  if (h.prediction) parts.push(`forecast: ${h.prediction.message}`);
  else if (h.trend) parts.push(`trend ${h.trend.slopePerDay >= 0 ? '+' : ''}${h.trend.slopePerDay.toFixed(2)} %/day`);
  if (h.trend && h.trend.fullAt !== null && h.metric === 'disk.percent')
    parts.push(`predicted full on ${dateTime(h.trend.fullAt)}`);
  return parts.join(' · ');
}

function chart(container, h, label) {
  const width = Math.max(280, container.clientWidth);
  const opts = {
    width,
    height: 220,
    scales: { y: { range: [0, 100] } },
    series: [
      {},
      { label, stroke: '#0a58ca', width: 2 },
      { label: 'fitted trend', stroke: '#9a6700', dash: [6, 4], width: 2 },
      { label: 'threshold', stroke: '#cf222e', dash: [2, 4], width: 1 },
    ],
    axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((v) => `${v} %`) }],
  };
  return new uPlot(opts, plotData(h), container);
}

/** Creates the node view. */
export function createNodeView(ctx) {
  let shown = null;
  let plots = [];
  const resize = new ResizeObserver(() => {
    for (const { plot, box } of plots) plot.setSize({ width: Math.max(280, box.clientWidth), height: 220 });
  });

  function render(node, histories) {
    for (const { plot } of plots) plot.destroy();
    plots = [];
    resize.disconnect();
    const root = $('node-charts');
    root.replaceChildren();
    histories.forEach((h, i) => {
      const { label } = METRICS[i];
      const section = el('section', 'panel chart');
      section.dataset.metric = h.metric;
      section.appendChild(el('h3', '', `${label} of ${node}`));
      const text = el('p', 'chart-summary', summary(h, label));
      section.appendChild(text);
      const box = el('div', 'plot');
      // The canvas is a picture of the summary above it; screen readers get the text.
      box.setAttribute('aria-hidden', 'true');
      section.appendChild(box);
      root.appendChild(section);
      if (h.points.length > 0) plots.push({ plot: chart(box, h, label), box });
      resize.observe(box);
    });
  }

  return {
    title: (node) => `node ${node}`,
    show(node) {
      shown = node;
      $('node-title').textContent = `Node ${node}`;
      const back = $('node-back');
      back.replaceChildren(link('#/homelab', '← back to the homelab'));
      this.refresh(node);
    },
    refresh(node) {
      const n = encodeURIComponent(node);
      Promise.all(METRICS.map((m) => ctx.api('GET', `/api/nodes/${n}/history?metric=${m.metric}&days=7`))).then(
        (rs) => {
          if (node !== shown) return;
          const bad = rs.find((r) => r.status !== 200);
          if (bad) $('node-charts').replaceChildren(el('p', 'problem', bad.body.error || `failed (${bad.status})`));
          else
            render(
              node,
              rs.map((r) => r.body),
            );
        },
        () => undefined,
      );
    },
  };
}
