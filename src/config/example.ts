/**
 * The commented example vigil.yaml that `vigil init` copies: examples/vigil.example.yaml, a real
 * YAML file shipped in the package (package.json `files`). It configures no infrastructure: the
 * operator uncomments and edits the examples. test/config/example.test.ts validates it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';

/**
 * Where the example lives, resolved from this module's own location: src/config/ (tsx) and
 * dist/config/ (the build, also inside an installed package) are both two levels below the root.
 */
export function exampleConfigPath(): string {
  return fileURLToPath(new URL('../../examples/vigil.example.yaml', import.meta.url));
}

/** The text of the example config. */
export function readExampleConfig(): string {
  const file = exampleConfigPath();
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(file, [`${file}: cannot read the example config (${code}); reinstall vigil`]);
  }
}

/**
 * Writes the example config to `file`, readable by its owner only (it may come to hold secrets).
 * Refuses to overwrite an existing file.
 */
export function writeExampleConfig(file: string): void {
  const text = readExampleConfig();
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new ConfigError(file, [
        `${file}: already exists; refusing to overwrite it (edit it, or move it away first)`,
      ]);
    }
    throw new ConfigError(file, [`${file}: cannot write it (${code ?? String(err)})`]);
  }
}
