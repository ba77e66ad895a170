// Pins the audit log: every outcome of executeTool leaves exactly one row, secrets redacted, and tampering makes `vigil audit verify` fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startTestVigil, runCli, type TestVigil } from '../helpers/vigil.js';
import { toolsWithTestTools } from '../helpers/tools.js';

let vigil: TestVigil;
beforeAll(async () => {
  vigil = await startTestVigil({
    tools: toolsWithTestTools(),
    safetyYaml: 'safety:\n  confirmation: elicit\n  disabledTools: [test_poke]',
  });
});
afterAll(async () => vigil.close());

describe('one audit row per outcome', () => {
  const cases: Array<[string, string, Record<string, unknown>, string, string]> = [
    ['ok', 'test_echo', { text: 'x' }, 'allowed', 'ok'],
    ['invalid args', 'test_echo', { text: 42 }, 'invalid', 'not_run'],
    ['unknown tool', 'no_such_tool', {}, 'unknown_tool', 'not_run'],
    ['blocked', 'test_poke', { node: 'pve1', vmid: 100 }, 'blocked', 'not_run'],
    ['handler error', 'test_boom', {}, 'allowed', 'error'],
    ['timeout', 'test_slow', {}, 'allowed', 'timeout'],
  ];
  for (const [label, tool, args, decision, outcome] of cases) {
    it(label, async () => {
      const client = await vigil.connect();
      const before = await vigil.core.stores.audit.count();
      await client.callTool({ name: tool, arguments: args }).catch(() => undefined);
      expect(await vigil.core.stores.audit.count()).toBe(before + 1);
      expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
        tool,
        decision,
        outcome,
        callerKind: 'assistant',
      });
    });
  }

  it('denied', async () => {
    const client = await vigil.connect({ elicit: () => ({ action: 'decline' }) });
    const before = await vigil.core.stores.audit.count();
    await client.callTool({ name: 'test_smash', arguments: { node: 'pve1', vmid: 100 } });
    expect(await vigil.core.stores.audit.count()).toBe(before + 1);
    expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
      decision: 'denied',
      outcome: 'not_run',
    });
  });

  it('a failing handler reaches the assistant as an isError result saying what failed', async () => {
    const client = await vigil.connect();
    const result = await client.callTool({ name: 'test_boom', arguments: {} });
    expect(result).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: 'failed to boom on pve1: VM is locked (backup)' }],
    });
  });

  it('redacts secret-looking arguments and known tokens', async () => {
    const client = await vigil.connect({ elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    await client.callTool({
      name: 'test_smash',
      arguments: { node: vigil.operatorToken, vmid: 1, secretToken: 'hunter2-hunter2' },
    });
    const row = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
    const text = JSON.stringify(row);
    expect(text).not.toContain('hunter2-hunter2');
    expect(text).not.toContain(vigil.operatorToken);
    expect(row.args).toMatchObject({ secretToken: '[redacted]', node: '[redacted]' });
    // The event published for the call (its title and target name the node) is scrubbed as well.
    const events = JSON.stringify(await vigil.core.stores.events.latest(5));
    expect(events).toContain('test_smash');
    expect(events).not.toContain(vigil.operatorToken);
  });
});

describe('vigil audit verify', () => {
  it('exits 0 on an intact chain, 1 after a row is edited or deleted', async () => {
    const intact = await runCli(['audit', 'verify', '--config', vigil.configFile]);
    expect(intact.stdout).toMatch(/audit log intact: \d+ rows/);
    expect(intact.code).toBe(0);

    const db = new Database(join(vigil.dir, 'vigil.db'));
    db.prepare(`UPDATE audit SET decision = 'allowed' WHERE id = 4`).run();
    const edited = await runCli(['audit', 'verify', '--config', vigil.configFile]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/BROKEN: 1 bad row\(s\) in 1 range\(s\), first at row 4/);
    expect(edited.stderr).toMatch(/row 4: .*edited/);

    db.prepare(`UPDATE audit SET decision = 'blocked' WHERE id = 4`).run();
    expect((await runCli(['audit', 'verify', '--config', vigil.configFile])).code).toBe(0);

    db.prepare('DELETE FROM audit WHERE id = 2').run();
    const deleted = await runCli(['audit', 'verify', '--config', vigil.configFile]);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toMatch(/first at row 2 .*\n.* {2}row 2: missing \(deleted\)/);

    // Verification walks on past the first bad row: a second edit further on is reported too.
    db.prepare(`UPDATE audit SET caller_id = 'mallory' WHERE id = 5`).run();
    const both = await runCli(['audit', 'verify', '--config', vigil.configFile]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/2 bad row\(s\) in 2 range\(s\)[^]*row 2: missing[^]*row 5: .*edited/);
    db.close();
  });
});
