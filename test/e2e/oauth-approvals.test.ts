// Pins approvals for OAuth callers against a real OpenID provider: bound to the token's subject, so another subject (or the static token) with the same tool and arguments is refused and audited, and the subject redeems from a new session — or, at revision 2026-07-28, from any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { textOf } from '../helpers/vigil.js';
import { startTestOidc, type TestOidc } from '../helpers/oidc.js';
import { freePort, startOAuthVigil, type OAuthVigil } from '../helpers/oauth-vigil.js';

let oidc: TestOidc;
let vigil: OAuthVigil;
const clients: (Client | ModernClient)[] = [];

beforeAll(async () => {
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}/mcp`;
  oidc = await startTestOidc([{ resource, scope: 'vigil:assistant' }]);
  vigil = await startOAuthVigil({ issuer: oidc.issuer, port });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await vigil?.close();
  await oidc?.close();
});

/** A real SDK client on /mcp with `token` (an OAuth access token or the static assistant token). */
async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'oauth-approvals', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(vigil.resource), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

const asUser = async (user: string) =>
  connect(await oidc.accessToken({ user, scope: 'vigil:assistant', resource: vigil.resource }));
const release = (approvalId?: string) => ({
  name: 'set_kill_switch',
  arguments: { active: false, ...(approvalId ? { approval_id: approvalId } : {}) },
});

describe("an OAuth caller's approval", () => {
  it('is redeemed only by the same subject, from any session', async () => {
    const alice = await asUser('alice');
    const asked = await alice.callTool(release());
    const id = (asked.structuredContent as { approvalId: string }).approvalId;
    expect((await vigil.core.stores.approvals.get(id, Date.now()))?.principal).toBe('oauth:alice');
    const approved = await vigil.core.pipeline.executeTool(
      'approve_action',
      { id, verdict: 'approve' },
      { kind: 'operator', id: 'operator' },
    );
    expect(approved).toMatchObject({ kind: 'result', isError: false });

    for (const [who, client] of [
      ['oauth:bob', await asUser('bob')],
      ['static token', await connect(vigil.assistantToken)],
    ] as const) {
      const stolen = await client.callTool(release(id));
      expect({ who, isError: stolen.isError }).toEqual({ who, isError: true });
      expect(textOf(stolen)).toMatch(/another identity/);
      const row = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
      expect(row).toMatchObject({ tool: 'set_kill_switch', decision: 'denied', outcome: 'not_run', approvalId: id });
    }
    expect((await vigil.core.stores.audit.list({ limit: 2 }))[1]!.callerId).toMatch(/^oauth:bob/);

    await alice.close();
    const aliceAgain = await asUser('alice');
    const run = await aliceAgain.callTool(release(id));
    expect(run.isError).toBe(false);
    expect((await vigil.core.stores.approvals.get(id, Date.now()))?.status).toBe('used');
  }, 60_000);

  it('binds a 2026-07-28 request to the subject of its access token, without a session', async () => {
    const modern = async (user: string) => {
      const token = await oidc.accessToken({ user, scope: 'vigil:assistant', resource: vigil.resource });
      const client = new ModernClient(
        { name: 'oauth-modern', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      await client.connect(
        new ModernTransport(new URL(vigil.resource), {
          requestInit: { headers: { Authorization: `Bearer ${token}` } },
        }),
      );
      clients.push(client);
      return client;
    };
    const carol = await modern('carol');
    expect(carol.getProtocolEra()).toBe('modern');
    const asked = await carol.callTool(release());
    const id = (asked.structuredContent as { approvalId: string }).approvalId;
    expect(await vigil.core.stores.approvals.get(id, Date.now())).toMatchObject({ principal: 'oauth:carol' });
    expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]!.callerId).toMatch(/^oauth:carol/);
    await vigil.core.pipeline.executeTool(
      'approve_action',
      { id, verdict: 'approve' },
      { kind: 'operator', id: 'operator' },
    );
    const stolen = await (await modern('dave')).callTool(release(id));
    expect(textOf(stolen)).toMatch(/another identity/);
    const run = await carol.callTool(release(id));
    expect(run.isError).toBe(false);
    expect((await vigil.core.stores.approvals.get(id, Date.now()))?.status).toBe('used');
  }, 60_000);
});
