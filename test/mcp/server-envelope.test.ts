// Pins that every tools/call request leaves exactly one audit row whatever its envelope, and a malformed one is answered -32602 with a one-line message, over Streamable HTTP and stdio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestVigil, writeTestConfig, type TestVigil } from '../helpers/vigil.js';

/** Malformed tools/call params, each with what the one-line message must name. */
const MALFORMED: [label: string, params: unknown, names: RegExp][] = [
  [
    'arguments as a string',
    { name: 'get_monitor_status', arguments: 'abc' },
    /arguments: expected an object, got a string/,
  ],
  [
    'arguments as an array',
    { name: 'get_monitor_status', arguments: [] },
    /arguments: expected an object, got an array/,
  ],
  ['arguments as null', { name: 'get_monitor_status', arguments: null }, /arguments: expected an object, got null/],
  ['a numeric name', { name: 42, arguments: {} }, /name: expected a string .*got a number/],
  ['a missing name', { arguments: {} }, /name: expected a string .*got nothing/],
  ['missing params', undefined, /params: expected an object/],
];

function request(id: number, params: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', ...(params === undefined ? {} : { params }) };
}

function expectOneLineInvalid(error: { code: number; message: string } | undefined, names: RegExp): void {
  expect(error?.code).toBe(-32602);
  expect(error?.message).toMatch(names);
  expect(error?.message).not.toMatch(/\n/);
  expect(error?.message.length).toBeLessThan(300);
}

describe('malformed tools/call over Streamable HTTP', () => {
  let vigil: TestVigil;
  let session = '';
  beforeAll(async () => {
    vigil = await startTestVigil();
    const client = await vigil.connect();
    session = (client.transport as StreamableHTTPClientTransport).sessionId!;
  });
  afterAll(async () => vigil.close());

  for (const [index, [label, params, names]] of MALFORMED.entries()) {
    it(`${label}: -32602, one line, one audit row (invalid)`, async () => {
      const before = await vigil.core.stores.audit.count();
      const res = await fetch(`${vigil.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${vigil.assistantToken}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify(request(100 + index, params)),
      });
      const text = await res.text();
      const message = JSON.parse(text.startsWith('event:') ? /^data: (.*)$/m.exec(text)![1]! : text) as {
        id: number;
        error?: { code: number; message: string };
      };
      expect(message.id).toBe(100 + index);
      expectOneLineInvalid(message.error, names);
      expect((await vigil.core.stores.audit.count()) - before).toBe(1);
      const row = (await vigil.core.stores.audit.list({ limit: 1 }))[0]!;
      expect(row).toMatchObject({ decision: 'invalid', outcome: 'not_run', callerKind: 'assistant' });
      expect(row.error).toMatch(names);
      expect((await vigil.core.stores.audit.verify()).ok).toBe(true);
    });
  }
});

describe('malformed tools/call over stdio (vigil mcp)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-envelope-'));
  let child: ChildProcessWithoutNullStreams;
  const replies = new Map<number, { error?: { code: number; message: string } }>();
  const waiters = new Map<number, () => void>();

  beforeAll(async () => {
    const cfg = writeTestConfig(dir);
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'mcp', '--config', cfg.configFile], {
      cwd: join(import.meta.dirname, '..', '..'),
    });
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const msg = JSON.parse(line) as { id?: number; error?: { code: number; message: string } };
        if (typeof msg.id === 'number') {
          replies.set(msg.id, msg);
          waiters.get(msg.id)?.();
        }
      }
    });
    await send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  });
  afterAll(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  function send(message: Record<string, unknown>): Promise<{ error?: { code: number; message: string } }> {
    const id = message.id as number;
    return new Promise((resolve) => {
      waiters.set(id, () => resolve(replies.get(id)!));
      child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  it('answers each malformed envelope -32602 in one line and audits each exactly once', async () => {
    for (const [index, [, params, names]] of MALFORMED.entries()) {
      const reply = await send(request(200 + index, params));
      expectOneLineInvalid(reply.error, names);
    }
    const db = new Database(join(dir, 'vigil.db'), { readonly: true });
    const rows = db.prepare('SELECT decision, error FROM audit ORDER BY id').all() as {
      decision: string;
      error: string;
    }[];
    db.close();
    expect(rows).toHaveLength(MALFORMED.length);
    rows.forEach((row, i) => {
      expect(row.decision).toBe('invalid');
      expect(row.error).toMatch(MALFORMED[i]![2]);
    });
  });
});
