// Pins how server.oauth is validated: issuer and resource must be https (http only on loopback), one way to name each role, and every mistake names the key and the fix.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { ENV, issuesOf, minimal, writeConfig } from './helpers.js';

const oauth = (lines: string[]) => minimal(['server:', '  oauth:', ...lines.map((l) => `    ${l}`)].join('\n'));
const valid = ['issuer: https://auth.example.lan/realms/home', 'resource: https://vigil.example.lan/mcp'];

describe('server.oauth', () => {
  it('is absent by default: static bearer tokens only', () => {
    expect(loadConfig(writeConfig(minimal()), ENV).server.oauth).toBeUndefined();
  });

  it('loads with issuer and resource, filling in the defaults', () => {
    expect(loadConfig(writeConfig(oauth(valid)), ENV).server.oauth).toEqual({
      issuer: 'https://auth.example.lan/realms/home',
      resource: 'https://vigil.example.lan/mcp',
      staticAssistantToken: true,
      jwksCacheSeconds: 600,
    });
  });

  it('accepts http:// only on loopback (a local identity provider, the tests)', () => {
    const local = oauth(['issuer: http://127.0.0.1:9000', 'resource: http://localhost:8377/mcp']);
    expect(loadConfig(writeConfig(local), ENV).server.oauth?.issuer).toBe('http://127.0.0.1:9000');
    const issues = issuesOf(oauth(['issuer: http://auth.lan', 'resource: http://vigil.lan/mcp']));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(
      /^server\.oauth\.issuer: expected the issuer URL .*https:\/\/ \(http:\/\/ only on 127\.0\.0\.1/,
    );
    expect(issues[1]).toMatch(/^server\.oauth\.resource: expected the URL MCP clients use for \/mcp/);
  });

  it('refuses a resource with a query or fragment, a missing key and an unknown key', () => {
    expect(issuesOf(oauth([valid[0]!, 'resource: https://vigil.lan/mcp#x']))[0]).toMatch(/^server\.oauth\.resource:/);
    expect(issuesOf(oauth([valid[0]!]))[0]).toMatch(/^server\.oauth\.resource:/);
    expect(issuesOf(oauth([...valid, 'scopes: [a]']))[0]).toMatch(/server\.oauth.*scopes/);
  });

  it('wants one way to name each role, and an operator scope other than the assistant scope', () => {
    const both = issuesOf(
      oauth([...valid, 'assistantScope: vigil:assistant', 'assistantClaim: { name: groups, value: vigil }']),
    );
    expect(both).toEqual(['server.oauth: set assistantScope or assistantClaim, not both']);
    const same = issuesOf(oauth([...valid, 'operatorScope: vigil:assistant']));
    expect(same[0]).toMatch(/^server\.oauth\.operatorScope: must differ from the assistant scope/);
    const badScope = issuesOf(oauth([...valid, 'assistantScope: "two words"']));
    expect(badScope[0]).toMatch(/^server\.oauth\.assistantScope: expected one OAuth scope/);
  });
});
