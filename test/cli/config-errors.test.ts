// Pins bad config handling in the CLI: each mistake gets one clear message naming the key, exit code 2, no stack trace, no secret.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/vigil.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-badcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKENS = {
  VIGIL_ASSISTANT_TOKEN: 'assistant-token-0123456789',
  VIGIL_OPERATOR_TOKEN: 'operator-token-0123456789',
};
const base = (extra: string) =>
  `auth:\n  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}\n  operatorToken: \${env:VIGIL_OPERATOR_TOKEN}\ndatabase:\n  path: ./v.db\n${extra}`;

const CASES: Array<[string, string, NodeJS.ProcessEnv, RegExp]> = [
  ['port typo', base('server:\n  port: 22x\n'), TOKENS, /server\.port: expected a number 1–65535, got "22x"/],
  [
    'missing env var',
    base(''),
    { VIGIL_OPERATOR_TOKEN: TOKENS.VIGIL_OPERATOR_TOKEN, VIGIL_ASSISTANT_TOKEN: '' },
    /auth\.assistantToken: /,
  ],
  [
    'equal tokens',
    base(''),
    { VIGIL_ASSISTANT_TOKEN: TOKENS.VIGIL_OPERATOR_TOKEN, VIGIL_OPERATOR_TOKEN: TOKENS.VIGIL_OPERATOR_TOKEN },
    /must differ/,
  ],
  ['unknown key', base('servr:\n  port: 1\n'), TOKENS, /servr: unknown key/],
  ['bad YAML', base('server: [\n'), TOKENS, /YAML syntax error/],
  ['bad MAC', base('nodes:\n  - name: pve1\n    wol: { mac: "zz:00:00:00:00:00" }\n'), TOKENS, /nodes\[0\]\.wol\.mac/],
];

describe('vigil serve with a bad config', () => {
  for (const [label, yaml, env, message] of CASES) {
    it(label, async () => {
      const file = join(dir, `${label.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, yaml);
      const res = await runCli(['serve', '--config', file, '--port', '0'], env);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      for (const secret of Object.values(TOKENS)) expect(res.stderr).not.toContain(secret);
    });
  }

  it('a missing file says how to create one', async () => {
    const res = await runCli(['serve', '--config', join(dir, 'nope.yaml')], TOKENS);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/file not found; create one with "vigil init --config/);
  });

  it('vigil init writes an example that then loads', async () => {
    const file = join(dir, 'fresh.yaml');
    const init = await runCli(['init', '--config', file]);
    expect(init.code).toBe(0);
    const status = await runCli(['status', '--config', file], TOKENS);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(/kill switch: off/);
    expect(status.code).toBe(0);
    expect((await runCli(['init', '--config', file])).code).toBe(2);
  });
});
