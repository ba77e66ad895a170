// Pins the dashboard over `vigil demo` (the built dist/) in headless Chromium: a guest the lab crashes shows up live as an incident the monitor remediates, the status returns to healthy, and the homelab view shows the lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { startDemo, type DemoProcess } from './demo-process.js';

const OPERATOR = `dash-operator-${process.pid}-0123456789`;
const haveChromium = chromiumAvailable('dashboard-demo e2e');

interface LabSnapshot {
  guests: Array<{ vmid: number; status: string; template: boolean; ha: { managed: boolean } }>;
}

describe.skipIf(!haveChromium)('dashboard over vigil demo, in headless Chromium', () => {
  let parent: string;
  let demo: DemoProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    parent = mkdtempSync(join(tmpdir(), 'vigil-dash-demo-'));
    demo = await startDemo(
      ['--no-chaos'],
      { VIGIL_ASSISTANT_TOKEN: `dash-assistant-${process.pid}-0123456789`, VIGIL_OPERATOR_TOKEN: OPERATOR },
      join(parent, 'data'),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('shows a crashed guest live, the remediation, and healthy again', async () => {
    await page.goto(demo.url);
    await page.fill('#token', OPERATOR);
    await page.click('#login-form button[type=submit]');
    await page.locator('#conn[data-state="live"]').waitFor();
    await page.locator('#overall[data-status="healthy"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#monitor-state').innerText()).toMatch(/^running/);

    const snap = (await demo.lab('GET', '/_lab/state')).body as LabSnapshot;
    const victim = snap.guests.find((g) => g.status === 'running' && !g.template && !g.ha.managed)!;
    expect((await demo.lab('POST', `/_lab/guests/${victim.vmid}/crash`)).status).toBe(200);

    const key = `guest.crashed:${victim.vmid}`;
    await page
      .locator('#events li[data-type="incident.opened"]', { hasText: String(victim.vmid) })
      .waitFor({ timeout: 30_000 });
    await page.locator('#events li[data-type="remediation.succeeded"]').first().waitFor({ timeout: 30_000 });
    await page.locator(`#actions li[data-key="${key}"][data-result="succeeded"]`).waitFor({ timeout: 10_000 });
    await page.locator('#events li[data-type="incident.resolved"]').first().waitFor({ timeout: 30_000 });
    await page.locator('#overall[data-status="healthy"]').waitFor({ timeout: 20_000 });
    expect(await page.locator(`#incidents li[data-key="${key}"]`).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-remediated.png'), fullPage: true });
  });

  it('shows the demo homelab from the built files: every node, its guests, the lab HTTP check up', async () => {
    await page.click('nav a[data-view="homelab"]');
    await page.locator('#homelab-http li[data-check="lab-web"] .chip.ok').waitFor({ timeout: 30_000 });
    const snap = (await demo.lab('GET', '/_lab/state')).body as LabSnapshot & { nodes: { name: string }[] };
    for (const n of snap.nodes) await page.locator(`#homelab-nodes article[data-node="${n.name}"]`).waitFor();
    expect(await page.locator('#homelab-nodes .guests li[data-vmid]').count()).toBe(snap.guests.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-homelab.png'), fullPage: true });
  });
});
