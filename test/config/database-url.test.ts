// Pins database.url: absent keeps the SQLite file; a postgres:// URL (password from the environment) is taken and treated as a secret; any other scheme is refused naming the field and the fix, without printing the URL.
import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/config/index.js';
import { ENV, issuesOf, minimal, writeConfig } from './helpers.js';

describe('database.url', () => {
  it('is absent by default: the SQLite file at database.path', () => {
    const config = loadConfig(writeConfig(minimal()), ENV);
    expect(config.database.url).toBeUndefined();
    expect(config.database.path).toMatch(/vigil\.db$/);
  });

  it('takes postgres:// and postgresql:// URLs, the password from ${env:NAME}, and keeps both secret', () => {
    for (const scheme of ['postgres', 'postgresql']) {
      const text = minimal(`database:\n  url: ${scheme}://vigil:\${env:VIGIL_DB_PASSWORD}@127.0.0.1:5432/vigil\n`);
      const config = loadConfig(writeConfig(text), { ...ENV, VIGIL_DB_PASSWORD: 'db-pass-0123456789' });
      expect(config.database.url).toBe(`${scheme}://vigil:db-pass-0123456789@127.0.0.1:5432/vigil`);
      expect(secretValues(config)).toContain('db-pass-0123456789');
      expect(secretValues(config)).toContain(config.database.url);
    }
  });

  it('refuses any other scheme, naming the field and the fix, never quoting the URL', () => {
    for (const url of ['mysql://vigil:hunter2-secret@127.0.0.1/vigil', 'not a url hunter2-secret', '']) {
      const issues = issuesOf(minimal(`database:\n  url: "${url}"\n`));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^database\.url: expected a postgres:\/\/ or postgresql:\/\/ URL/);
      expect(issues[0]).not.toContain('hunter2-secret');
    }
  });
});
