// Pins the import rules of .dependency-cruiser.cjs: an upward or sideways import, a cycle, or contracts importing vigil fails the lint; downward imports pass.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const dirs: string[] = [];

/** A throwaway project with the repository's rules and tsconfig, holding `files` under src/. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-depcruise-'));
  dirs.push(dir);
  cpSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'src', file)), { recursive: true });
    writeFileSync(join(dir, 'src', file), text);
  }
  return dir;
}

/** Runs `depcruise src` as `npm run lint` does; its exit code and report. */
function depcruise(cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(DEPCRUISE, ['src', '--output-type', 'err'], { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, out: stdout + stderr });
    });
  });
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('dependency rules', () => {
  it('fail on an upward import, a sideways import, a cycle and contracts importing vigil, naming each rule', async () => {
    const dir = project({
      'db/store.ts': "import { loop } from '../monitor/loop.js';\nexport const store = loop;\n",
      'monitor/loop.ts': 'export const loop = 1;\n',
      'notify/mail.ts': "import { loop } from '../monitor/loop.js';\nexport const mail = loop;\n",
      'util/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'util/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'contracts/tiers.ts': "import { a } from '../util/a.js';\nexport const tiers = a;\n",
      'config/schema.ts': "import { startLab } from '../lab/index.js';\nexport const schema = startLab;\n",
      'lab/index.ts': 'export const startLab = 1;\n',
    });
    const { code, out } = await depcruise(dir);
    expect(code).not.toBe(0);
    expect(out).toMatch(/layer-db-not-upward: src\/db\/store\.ts → src\/monitor\/loop\.ts/);
    expect(out).toMatch(/layer-notify-not-sideways: src\/notify\/mail\.ts → src\/monitor\/loop\.ts/);
    expect(out).toMatch(/no-circular: src\/util\/a\.ts → /);
    expect(out).toMatch(/contracts-import-nothing: src\/contracts\/tiers\.ts → src\/util\/a\.ts/);
    expect(out).toMatch(/lab-started-by-commands-only: src\/config\/schema\.ts → src\/lab\/index\.ts/);
  });

  it('pass when every import points down', async () => {
    const dir = project({
      'contracts/tiers.ts': 'export const TIERS = ["green"] as const;\n',
      'db/store.ts': "import { TIERS } from '../contracts/tiers.js';\nexport const store = TIERS;\n",
      'monitor/loop.ts': "import { store } from '../db/store.js';\nexport const loop = store;\n",
      'commands/lab.ts': "import { startLab } from '../lab/index.js';\nexport const lab = startLab;\n",
      'lab/index.ts': "import { TIERS } from '../contracts/tiers.js';\nexport const startLab = TIERS;\n",
      'cli.ts':
        "import { lab } from './commands/lab.js';\nimport { loop } from './monitor/loop.js';\nexport const cli = [lab, loop];\n",
    });
    const { code, out } = await depcruise(dir);
    expect(out).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  });
});
