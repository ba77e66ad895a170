// Pins the dashboard's views in headless Chromium against a lab-backed monitor: the homelab live over /events with each problem's reason and incident link, the incident timeline and next step, approval cards with a second confirmation for red, node plots, the audit filters and chain state, keyboard use, 375 px, and no serious or critical axe-core violation on any view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { startMonitorLab, type MonitorLab } from '../monitor/harness.js';
import { startHttp, type HttpApp } from '../../src/api/app.js';
import { createHomelabFeed, type HomelabFeed } from '../../src/monitor/homelab.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const HOUR = 3_600_000;
const OPERATOR = { kind: 'operator', id: 'test' } as const;
const haveChromium = chromiumAvailable('dashboard views e2e');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

describe.skipIf(!haveChromium)('dashboard views in headless Chromium', () => {
  let t: MonitorLab;
  let feed: HomelabFeed;
  let http: HttpApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const axeReport: Record<string, string[]> = {};

  /** Runs axe-core in the page; returns the serious and critical violations, one line each. */
  async function axe(view: string): Promise<string[]> {
    await page.evaluate(`${AXE};0`);
    const violations = (await page.evaluate(
      "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
    )) as AxeViolation[];
    const bad = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    axeReport[view] = [...(axeReport[view] ?? []), ...violations.map((v) => `${v.impact} ${v.id}`)];
    return bad;
  }

  /** Screenshot and axe at 1280 px and at 375 px; nothing may be wider than the phone's screen. */
  async function check(view: string) {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(100); // layout and chart resize settle
      await page.screenshot({ path: join(SCREENSHOTS, `${view}-${width}.png`), fullPage: true });
      expect(await axe(`${view}@${width}`)).toEqual([]);
      if (width === 375) expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  beforeAll(async () => {
    t = await startMonitorLab({ lab: { nodes: 3, guests: 4 } });
    feed = createHomelabFeed({ thresholds: t.core.config.monitor.thresholds });
    t.restart({ samples: t.core.stores.samples, observed: (o) => feed.observe(o) });
    http = await startHttp(t.core, '127.0.0.1', 0, { homelab: feed });
    // Two days of pve1's disk filling at 12 %/day up to the lab's 25 %, one sample an hour: the
    // forecast predicts the day it is full; the monitor's own samples continue the series.
    const now = t.now();
    for (let h = 48; h >= 1; h -= 1) {
      await t.core.stores.samples.record('pve1', 'disk.percent', 25 - h * 0.5, now - h * HOUR);
      await t.core.stores.samples.record('pve1', 'memory.percent', 40 + 5 * Math.sin(h / 5), now - h * HOUR);
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Shorter than the test's own timeout, so a failure names the locator it waited for.
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close();
    await t?.close();
    console.info(`axe-core violations by view (all impacts): ${JSON.stringify(axeReport)}`);
  });

  it('asks for the operator token on a page that passes axe', async () => {
    await page.goto(http.url);
    await page.locator('#login-form').waitFor();
    await check('login');
    await page.fill('#token', t.core.config.auth.operatorToken);
    await page.click('#login-form button[type=submit]');
    await page.locator('#conn[data-state="live"]').waitFor();
  });

  it('shows the homelab live: nodes with bars, guests, services, storage; a failed service says why and links its incident', async () => {
    await page.click('nav a[data-view="homelab"]');
    await t.cycle('critical', 'routine');
    await page.locator('#homelab-nodes article[data-node="pve2"][data-healthy="true"]').waitFor();
    const pve2 = page.locator('#homelab-nodes article[data-node="pve2"]');
    expect(await pve2.locator('meter').count()).toBe(3);
    expect(await pve2.locator('.guests li[data-vmid]').count()).toBeGreaterThan(0);
    expect(await pve2.locator('.services li[data-unit="nginx.service"]').innerText()).toContain('active');
    // pve1's seeded disk series rises to full within the forecast window: it says so, with its incident.
    const pve1 = page.locator('#homelab-nodes article[data-node="pve1"][data-healthy="false"]');
    expect(await pve1.locator('.problem').first().innerText()).toMatch(/full in .* days[\s\S]*incident #\d+/);
    expect(await page.locator('#homelab-storage li').count()).toBeGreaterThan(0);

    // A failure while the kill switch holds the monitor back: the incident stays open to link to.
    await t.core.pipeline.executeTool('set_kill_switch', { active: true, reason: 'test' }, OPERATOR);
    t.lab.state.setServiceState('pve3', 'nginx.service', 'failed');
    await t.cycle('routine');
    const unit = page.locator('#homelab-nodes article[data-node="pve3"] .services li[data-unit="nginx.service"]');
    await unit.locator('.problem a').waitFor();
    expect(await unit.innerText()).toContain('systemd reports failed');
    expect(await unit.locator('.problem a').getAttribute('href')).toMatch(/^#\/incidents\/\d+$/);

    // A crashed guest and a node that is off: each says why and links its incident.
    t.lab.state.crashGuest(102);
    t.lab.state.setNodeOnline('pve2', false);
    await t.cycle('critical', 'critical');
    const guest = page.locator('#homelab-nodes li[data-vmid="102"]');
    await guest.locator('.problem a').waitFor();
    expect(await guest.innerText()).toMatch(/stopped[\s\S]*stopped without anyone stopping it/);
    const down = page.locator('#homelab-nodes article[data-node="pve2"][data-healthy="false"]');
    await down.locator('.problem a').waitFor();
    expect(await down.locator('.problem').innerText()).toMatch(
      /offline in the cluster; SSH does not answer — incident #\d+/,
    );
    await check('homelab');
    t.lab.state.setNodeOnline('pve2', true);
  });

  it('opens an incident page with the timeline and what vigil will do next', async () => {
    await page
      .locator('#homelab-nodes article[data-node="pve3"] .services li[data-unit="nginx.service"] .problem a')
      .click();
    await page.locator('#view-incident:not([hidden])').waitFor();
    await page.locator('#incident-next[data-state]').waitFor();
    expect(await page.locator('#incident-next').innerText()).toContain('the kill switch is on');
    expect(await page.locator('#incident-timeline li[data-kind="detected"]').innerText()).toContain('service.failed');

    // Released: the monitor restarts the unit; the timeline shows the action with its audit row.
    await t.core.pipeline.executeTool('set_kill_switch', { active: false }, OPERATOR);
    await t.cycle('routine');
    await page.locator('#incident-timeline li[data-kind="resolved"]').waitFor();
    const action = page.locator('#incident-timeline li[data-kind="action"]', { hasText: 'succeeded' }).last();
    expect(await action.innerText()).toMatch(/restart_service[\s\S]*audit #\d+[\s\S]*monitor/);
    expect(await page.locator('#incident-next').getAttribute('data-state')).toBe('done');
    await check('incident');
  });

  it('shows approval cards with plan, arguments, requester and expiry; red needs a second confirmation', async () => {
    const r = await t.core.pipeline.executeTool(
      'reboot_guest',
      { node: 'pve1', vmid: 100 },
      { kind: 'assistant', id: 'chat-ui', sessionId: 'session-0123456789' },
    );
    expect(r.kind === 'result' && r.decision).toBe('pending');
    const id = (await t.core.stores.approvals.pending(t.now()))[0]!.id;
    await page.click('nav a[data-view="overview"]');
    const card = page.locator(`#approvals li[data-id="${id}"]`);
    await card.waitFor();
    const text = await card.innerText();
    for (const part of ['reboot_guest', 'red', '"vmid": 100', 'assistant chat-ui', 'expires'])
      expect(text).toContain(part);
    // Each open incident says what vigil will do next; the disk forecast's card links its incident page.
    expect(await page.locator('#incidents li[data-key="disk.fill_predicted:pve1"] .next-line').innerText()).toMatch(
      /^next: /,
    );
    await check('overview');

    await card.locator('button.decide-approve').click();
    await card.locator('.confirm:not([hidden])').waitFor();
    expect((await t.core.stores.approvals.get(id, t.now()))?.status).toBe('pending');
    await check('approval-confirm');
    await card.locator('button.confirm-approve').click();
    await card.waitFor({ state: 'detached' });
    expect(await t.core.stores.approvals.get(id, t.now())).toMatchObject({
      status: 'approved',
      decidedBy: 'operator:rest',
    });
  });

  it('plots disk and memory history with the fitted trend and the predicted day of full', async () => {
    await page.goto(`${http.url}/#/nodes/pve1`);
    const disk = page.locator('#node-charts section[data-metric="disk.percent"]');
    await disk.locator('canvas').first().waitFor();
    expect(await disk.locator('.chart-summary').innerText()).toMatch(
      /forecast: full in .* days[\s\S]*predicted full on/,
    );
    await page.locator('#node-charts section[data-metric="memory.percent"] canvas').first().waitFor();
    await check('node');
  });

  it('filters the audit log by tool, caller and outcome, and shows the chain intact', async () => {
    await page.click('nav a[data-view="audit"]');
    await page.locator('#audit-chain[data-ok="true"]').waitFor();
    await page.locator('#audit-tool option[value="restart_service"]').waitFor({ state: 'attached' });
    await page.selectOption('#audit-tool', 'restart_service');
    await page.fill('#audit-caller', 'monitor');
    await page.selectOption('#audit-outcome', 'ok');
    await page.click('#audit-form button[type=submit]');
    await page.locator('#audit-rows li[data-tool="restart_service"]').first().waitFor();
    const tools = await page
      .locator('#audit-rows li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-tool')));
    expect(new Set(tools)).toEqual(new Set(['restart_service']));
    await check('audit');
  });

  it('works by keyboard alone: the views from the nav, and approving a red call', async () => {
    await t.core.pipeline.executeTool(
      'reboot_guest',
      { node: 'pve2', vmid: 101 },
      { kind: 'assistant', id: 'chat-ui', sessionId: 'session-0123456789' },
    );
    await page.goto(`${http.url}/#/`);
    await page.reload(); // a fresh page: focus starts at the top
    await page.locator('#conn[data-state="live"]').waitFor();
    // Tab from the top of the page to the Homelab link, then Enter.
    let onLink = false;
    for (let i = 0; i < 10 && !onLink; i += 1) {
      await page.keyboard.press('Tab');
      onLink = await page.evaluate("document.activeElement?.getAttribute('data-view') === 'homelab'");
    }
    expect(onLink).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('#view-homelab:not([hidden])').waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Homelab');

    await page.goto(`${http.url}/#/`);
    const approve = page.locator('#approvals li[data-tier="red"] button.decide-approve').first();
    await approve.focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate("document.activeElement?.classList.contains('confirm-approve')")).toBe(true);
    // Escape backs out (nothing approved, focus back on Approve); Enter twice approves.
    await page.keyboard.press('Escape');
    expect(await page.evaluate("document.activeElement?.classList.contains('decide-approve')")).toBe(true);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.locator('#approvals li[data-tier="red"]').waitFor({ state: 'detached' });
    expect(pageErrors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
  });
});
