// Pins the notifications section of vigil.yaml: defaults, email and webhook validation, and the SMTP password and webhook URLs treated as secrets.
import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/config/index.js';
import { ENV, issuesOf, minimal, writeConfig } from '../config/helpers.js';

describe('notifications config', () => {
  it('defaults to no destinations, 5-minute digests and capped backoff', () => {
    expect(loadConfig(writeConfig(minimal()), ENV).notifications).toEqual({
      webhooks: [],
      reportDigestSeconds: 300,
      retry: { initialSeconds: 30, maxSeconds: 1800, giveUpHours: 72 },
    });
  });

  it('loads email and webhooks, and lists the password, webhook URLs and header values as secrets', () => {
    const c = loadConfig(
      writeConfig(
        minimal(`notifications:
  email:
    host: smtp.example.com
    user: vigil
    password: \${env:SMTP_PASSWORD}
    from: vigil <vigil@example.com>
    to: [ops@example.com]
  webhooks:
    - { url: "https://hooks.slack.com/services/T/B/xyz", format: slack }
    - { url: "https://ntfy.sh/alerts", format: ntfy, headers: { Authorization: "Bearer tk_abc" } }
`),
      ),
      { ...ENV, SMTP_PASSWORD: 'smtp-secret-1' },
    );
    expect(c.notifications.email).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      user: 'vigil',
      password: 'smtp-secret-1',
      from: 'vigil <vigil@example.com>',
      to: ['ops@example.com'],
    });
    expect(c.notifications.webhooks[0]).toEqual({
      url: 'https://hooks.slack.com/services/T/B/xyz',
      format: 'slack',
      headers: {},
    });
    expect(secretValues(c)).toEqual(
      expect.arrayContaining([
        'smtp-secret-1',
        'https://hooks.slack.com/services/T/B/xyz',
        'https://ntfy.sh/alerts',
        'Bearer tk_abc',
      ]),
    );
  });

  it('names each mistake in one line, without printing a webhook URL', () => {
    const issues = issuesOf(
      minimal(`notifications:
  email: { host: smtp.example.com, from: nobody, to: [] }
  webhooks:
    - { url: "https://ntfy.sh/", format: ntfy }
    - { url: "https://hooks.example/secret-hook", format: teams }
  reportDigestSeconds: -1
`),
    );
    expect(issues.join('\n')).toMatch(/notifications\.email\.from: expected an email address/);
    expect(issues.join('\n')).toMatch(/notifications\.email\.to: expected at least one recipient/);
    expect(issues.join('\n')).toMatch(/notifications\.webhooks\[0\]\.url: expected an ntfy topic URL/);
    expect(issues.join('\n')).toMatch(/notifications\.webhooks\[1\]\.format: expected one of slack, discord, ntfy/);
    expect(issues.join('\n')).toMatch(/notifications\.reportDigestSeconds: expected a whole number of seconds 0–86400/);
    expect(issues.join('\n')).not.toContain('secret-hook');
  });
});
