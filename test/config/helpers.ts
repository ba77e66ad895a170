/** Shared helpers for the config tests: a temp dir per test and a loader that returns the issues. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadConfig } from '../../src/config/index.js';

export const ASSISTANT = 'assistant-token-0123456789';
export const OPERATOR = 'operator-token-0123456789';
export const ENV = { VIGIL_ASSISTANT_TOKEN: ASSISTANT, VIGIL_OPERATOR_TOKEN: OPERATOR };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  dirs.push(dir);
  return dir;
}

/** Writes `text` to vigil.yaml in a fresh temp dir and returns its path. */
export function writeConfig(text: string, name = 'vigil.yaml'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

/** The minimal valid file, with `extra` YAML appended. */
export function minimal(extra = ''): string {
  return `auth:\n  assistantToken: \${env:VIGIL_ASSISTANT_TOKEN}\n  operatorToken: \${env:VIGIL_OPERATOR_TOKEN}\n${extra}`;
}

/** Loads `text` and returns the ConfigError's issues; fails the test if it loads. */
export function issuesOf(text: string, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    loadConfig(writeConfig(text), env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it loaded');
}
