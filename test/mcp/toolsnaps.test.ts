// Pins the tool surface: tools/list through a real MCP client matches the committed snapshot of each gating profile, and annotations follow tiers.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestVigil, textOf, type TestVigil } from '../helpers/vigil.js';
import { allTools } from '../../src/mcp/tools/index.js';

const SNAP_DIR = join(import.meta.dirname, 'toolsnaps');
const UPDATE = process.env.UPDATE_TOOLSNAPS === '1';

const PROFILES: Record<string, string> = {
  default: 'safety:\n  confirmation: elicit',
  'read-only': 'safety:\n  readOnly: true',
  'disabled-tools': 'safety:\n  disabledTools: [run_command, reboot_node, shutdown_node]',
};

const started: TestVigil[] = [];
afterAll(async () => {
  await Promise.all(started.map((v) => v.close()));
});

describe('tools/list snapshots', () => {
  for (const [profile, safetyYaml] of Object.entries(PROFILES)) {
    it(`profile ${profile}`, async () => {
      const vigil = await startTestVigil({ safetyYaml });
      started.push(vigil);
      const client = await vigil.connect();
      const { tools } = await client.listTools();
      const file = join(SNAP_DIR, `${profile}.json`);
      const actual = `${JSON.stringify(tools, null, 2)}\n`;
      if (UPDATE) {
        mkdirSync(SNAP_DIR, { recursive: true });
        writeFileSync(file, actual);
      }
      // A missing snapshot fails instead of being written: CI must compare against a reviewed surface.
      expect(
        existsSync(file),
        `missing snapshot ${file}; run UPDATE_TOOLSNAPS=1 npx vitest run test/mcp/toolsnaps.test.ts and commit it`,
      ).toBe(true);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('annotations follow tiers', async () => {
    const vigil = await startTestVigil();
    started.push(vigil);
    const client = await vigil.connect();
    const { tools } = await client.listTools();
    const tiers = new Map(allTools().map((t) => [t.name, t.tier]));
    for (const tool of tools) {
      const tier = tiers.get(tool.name);
      expect(tool.description).toMatch(new RegExp(`^\\[${tier}\\] `));
      if (tier === 'green') expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      if (tier === 'yellow') expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
      if (tier === 'red') {
        expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
        expect(Object.keys((tool.inputSchema.properties ?? {}) as object)).toContain('approval_id');
      }
    }
  });

  it('a tool the gate blocks cannot be run by calling it by name', async () => {
    const vigil = await startTestVigil({ safetyYaml: PROFILES['read-only'] });
    started.push(vigil);
    const client = await vigil.connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('start_guest');
    expect(names).not.toContain('restart_service');
    for (const [name, args] of [
      ['start_guest', { node: 'pve1', vmid: 100 }],
      ['restart_service', { node: 'pve1', service: 'nginx.service' }],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/vigil runs read-only/);
      expect((await vigil.core.stores.audit.list({ limit: 1 }))[0]).toMatchObject({
        tool: name,
        decision: 'blocked',
        outcome: 'not_run',
      });
    }
  });
});
