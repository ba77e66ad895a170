// Pins the approval deep link in a real browser: a URL-mode elicitation opens #/approvals/<id>, the operator approves there and the waiting call runs; an expired approval leaves the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../helpers/browser.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { runs, toolsWithTestTools } from '../helpers/tools.js';

const TTL_MS = 600_000;
const haveChromium = chromiumAvailable('dashboard approval-link e2e');

describe.skipIf(!haveChromium)('the approval page an MCP client is sent to', () => {
  // vigil's clock runs this far from the real one (the browser's): set to make an approval expire soon.
  let skew = 0;
  let vigil: TestVigil;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    vigil = await startTestVigil({ tools: toolsWithTestTools(), now: () => Date.now() + skew });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterAll(async () => {
    await browser?.close();
    await vigil?.close();
  });

  /** What the operator does on the linked page: sign in, find the card in focus, approve it. */
  async function approveOnPage(url: string, id: string): Promise<void> {
    await page.goto(url);
    await page.locator('#login-form').waitFor();
    await page.fill('#token', vigil.operatorToken);
    await page.click('#login-form button[type=submit]');
    const card = page.locator(`#approvals li.linked[data-id="${id}"]`);
    await card.waitFor();
    expect(await page.evaluate('document.activeElement?.className')).toBe('decide-approve');
    expect(await page.title()).toBe(`vigil · approval ${id}`);
    await card.locator('.decide-approve').click();
    await card.locator('.confirm-approve').click();
  }

  it('is opened from the URL-mode elicitation, and approving there runs the waiting call', async () => {
    const client = new Client({ name: 'url-client', version: '1' }, { capabilities: { elicitation: { url: {} } } });
    let operator: Promise<void> = Promise.resolve();
    let linked = '';
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as { url: string; elicitationId: string };
      linked = params.url;
      operator = approveOnPage(params.url, params.elicitationId);
      return { action: 'accept' };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${vigil.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${vigil.assistantToken}` } },
      }),
    );
    const result = await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 301 } });
    await operator;
    expect(linked).toMatch(new RegExp(`^${vigil.url}/#/approvals/apr_`));
    expect(result.isError).toBe(false);
    expect(textOf(result)).toBe('smashed 301');
    expect(runs.get('test_smash')).toBe(1);
    await page.locator('#approvals li.empty').waitFor();
    await client.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('drops an approval from the list and the status reasons when it expires, without a reload', async () => {
    const assistant = await vigil.connect();
    // Filed two seconds before it expires, on the browser's clock.
    skew = -(TTL_MS - 2000);
    const result = await assistant.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 302 } });
    skew = 0;
    const id = (result.structuredContent as { approvalId: string }).approvalId;
    await page.goto(`${vigil.url}/#/approvals/${id}`);
    await page.locator(`#approvals li[data-id="${id}"]`).waitFor();
    expect(await page.locator('#reasons').innerText()).toContain('1 approval(s) waiting');

    await page.locator(`#approvals li[data-id="${id}"]`).waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.locator('#reasons').innerText()).not.toContain('approval(s) waiting');
    expect((await vigil.api('GET', '/api/approvals')).body.pending).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
