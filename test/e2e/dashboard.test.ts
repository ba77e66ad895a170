// Pins the dashboard in a real browser (Debian's headless Chromium): token asked once, live events, kill switch with confirmation, approvals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, chromiumAvailable, launchChromium } from '../helpers/browser.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestVigil, type TestVigil } from '../helpers/vigil.js';

const haveChromium = chromiumAvailable('dashboard e2e');

describe.skipIf(!haveChromium)('dashboard in headless Chromium', () => {
  let vigil: TestVigil;
  let browser: Browser;
  let page: Page;
  let assistant: Client;
  const pageErrors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `dashboard-${name}.png`), fullPage: true });
  const text = (selector: string) => page.locator(selector).innerText();

  beforeAll(async () => {
    vigil = await startTestVigil();
    assistant = await vigil.connect({ name: 'chat-ui' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await vigil?.close();
  });

  it('asks for the operator token, then shows status and a live stream', async () => {
    await page.goto(vigil.url);
    await page.locator('#login-form').waitFor();
    await shot('1-login');
    await page.fill('#token', vigil.operatorToken);
    await page.click('#login-form button[type=submit]');
    await page.locator('#conn[data-state="live"]').waitFor();
    await page.locator('#overall[data-status="degraded"]').waitFor();
    expect(await text('#reasons')).toContain('the monitor is not running');
    expect(await text('#ks-state')).toBe('off');
    expect(await text('#ha-state')).toBe('SQLite (one daemon, no standby)');
    expect(await page.evaluate("sessionStorage.getItem('vigil.operatorToken')")).toBe(vigil.operatorToken);
  });

  it('shows a live event when an assistant acts, and the status follows', async () => {
    await assistant.callTool({ name: 'set_kill_switch', arguments: { active: true, reason: 'assistant saw trouble' } });
    const row = page.locator('#events li[data-type="killswitch.changed"]').first();
    await row.waitFor();
    expect(await row.innerText()).toContain('kill switch ON (scope autonomy)');
    await page.locator('#ks-state[data-active="true"]').waitFor();
    expect(await text('#ks-state')).toContain('assistant saw trouble');
    await shot('2-live-event');
  });

  it('asks before releasing the kill switch, and the status reflects each flip', async () => {
    page.once('dialog', (d) => void d.dismiss());
    await page.click('#ks-toggle');
    await page.locator('#flash', { hasText: 'kill switch left on' }).waitFor();
    expect((await vigil.core.stores.preferences.killSwitch()).active).toBe(true);

    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.click('#ks-toggle');
    await page.locator('#ks-state[data-active="false"]').waitFor();
    expect(asked).toMatch(/Release the kill switch/);
    expect(await vigil.core.stores.preferences.killSwitch()).toMatchObject({ active: false, by: 'operator:rest' });

    await page.selectOption('#ks-scope', 'all');
    await page.fill('#ks-reason', 'freeze for upgrade');
    await page.click('#ks-toggle');
    await page.locator('#overall[data-status="critical"]').waitFor();
    expect(await text('#ks-state')).toBe('ON (all): freeze for upgrade');
    expect(await vigil.core.stores.preferences.killSwitch()).toMatchObject({ active: true, scope: 'all' });
    await shot('3-kill-switch-all');

    page.once('dialog', (d) => void d.accept());
    await page.click('#ks-toggle');
    await page.locator('#overall[data-status="degraded"]').waitFor();
  });

  it('approves a pending request filed by the assistant', async () => {
    const result = (await assistant.callTool({
      name: 'set_autonomy_level',
      arguments: { level: 4, reason: 'let it fix disks' },
    })) as {
      structuredContent?: { approvalId?: string };
    };
    const id = result.structuredContent?.approvalId ?? (await vigil.core.stores.approvals.pending(Date.now()))[0]?.id;
    expect(id).toMatch(/^apr_/);
    const item = page.locator(`#approvals li[data-id="${id}"]`);
    await item.waitFor();
    expect(await item.innerText()).toContain('set the autonomy level to 4');
    expect(await text('#reasons')).toContain('1 approval(s) waiting');
    await shot('4-pending-approval');
    // set_autonomy_level is red: the first click only opens the card's confirmation.
    await item.locator('button.decide-approve').click();
    await item.locator('.confirm:not([hidden])').waitFor();
    expect((await vigil.core.stores.approvals.get(id!, Date.now()))?.status).toBe('pending');
    await item.locator('button.confirm-approve').click();
    await item.waitFor({ state: 'detached' });
    expect(await vigil.core.stores.approvals.get(id!, Date.now())).toMatchObject({
      status: 'approved',
      decidedBy: 'operator:rest',
    });
    await page.locator('#events li[data-type="approval.resolved"]').first().waitFor();
    await shot('5-approved');
  });

  it('lists open incidents, and an escalated one makes the status critical', async () => {
    const store = vigil.core.stores.monitor;
    const incident = await store.openIncident(
      {
        key: 'disk.high:pve2',
        condition: 'disk.high',
        target: 'pve2',
        node: 'pve2',
        severity: 'warning',
        summary: 'disk of pve2 at 96%',
        details: {},
        flapping: false,
      },
      Date.now(),
    );
    await vigil.core.bus.publish({
      type: 'incident.opened',
      severity: 'warning',
      title: 'disk.high pve2',
      message: 'disk of pve2 at 96%',
      incidentKey: incident.key,
    });
    const item = page.locator('#incidents li[data-key="disk.high:pve2"]');
    await item.waitFor();
    expect(await item.innerText()).toContain('disk of pve2 at 96%');
    await page.locator('#reasons', { hasText: '1 incident(s) open' }).waitFor();

    await store.escalateIncident(incident.id, Date.now());
    await vigil.core.bus.publish({
      type: 'incident.escalated',
      severity: 'critical',
      title: 'disk.high pve2 escalated',
      message: 'gave up',
      incidentKey: incident.key,
    });
    await page.locator('#incidents li[data-status="escalated"]').waitFor();
    await page.locator('#overall[data-status="critical"]').waitFor();
    await shot('6-escalated');
    await store.resolveIncident(incident.id, Date.now());
    await vigil.core.bus.publish({
      type: 'incident.resolved',
      severity: 'info',
      title: 'disk.high pve2 resolved',
      message: '',
      incidentKey: incident.key,
    });
    await item.waitFor({ state: 'detached' });
  });

  it('changes the autonomy level', async () => {
    await page.selectOption('#autonomy-level', '2');
    await page.click('#autonomy-apply');
    await page.locator('#autonomy-state', { hasText: '2' }).waitFor();
    expect(await vigil.core.stores.preferences.autonomyLevel()).toBe(2);
  });

  it('keeps the token for the tab, and asks again when it is refused', async () => {
    await page.reload();
    await page.locator('#conn[data-state="live"]').waitFor();
    expect(await page.locator('#login').isHidden()).toBe(true);
    // Events from before the reload are shown again (REST), with no duplicates from the stream.
    const ids = await page.locator('#events li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(3);

    await page.evaluate("sessionStorage.setItem('vigil.operatorToken', 'wrong-token-0123456789')");
    await page.reload();
    await page.locator('#login-form').waitFor();
    expect(await text('#login-message')).toMatch(/refused/);
    // Script errors only: refused requests (401/403) and absent optional routes are HTTP statuses, not bugs.
    expect(pageErrors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
  });
});
