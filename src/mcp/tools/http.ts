/**
 * HTTP checks: green `check_http` runs the configured checks (all, or one by name) or probes a
 * URL. A check that fails is a result ("DOWN"), not a tool failure: the tool worked.
 */
import { z } from 'zod';
import { ToolFailure } from '../../errors.js';
import { HTTP_PROBE_FAILURES, type HttpProbeOptions, type HttpProbeResult } from '../../clients/http-probe.js';
import type { HttpCheckConfig } from '../../config/types.js';
import { defineTool } from '../tool.js';
import { createHttpAllowPolicy } from '../../util/http-allow.js';

function line(name: string, r: HttpProbeResult): string {
  return `${r.ok ? 'UP' : 'DOWN'} ${name} ${r.url}${r.status !== undefined ? ` → ${r.status}` : ''} in ${r.durationMs} ms${r.error ? `: ${r.error}` : ''}`;
}

function fromConfig(c: HttpCheckConfig, signal: AbortSignal): HttpProbeOptions {
  return {
    url: c.url,
    expectStatus: c.expectStatus,
    ...(c.bodyMatch !== undefined ? { bodyMatch: c.bodyMatch } : {}),
    timeoutMs: c.timeoutSeconds * 1000,
    tls: c.tls,
    signal,
  };
}

export const checkHttp = defineTool({
  name: 'check_http',
  title: 'Check HTTP endpoints',
  description:
    'Probes HTTP(S) endpoints: a configured check by name, every configured check (no arguments), or an ad-hoc URL (GET; expectStatus default any 2xx). Reports up/down, status, time and why it failed.',
  tier: 'green',
  kind: 'infra',
  input: z.object({
    name: z.string().min(1).max(128).optional().describe('a configured httpChecks name'),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
      .describe('an http(s) URL to probe instead'),
    expectStatus: z.number().int().min(100).max(599).optional().describe('for url: the expected status'),
    bodyMatch: z.string().min(1).max(1024).optional().describe('for url: a substring the body must contain'),
    timeoutSeconds: z.number().min(0.1).max(60).default(5).describe('for url: the deadline'),
  }),
  output: z.object({
    results: z.array(
      z.object({
        name: z.string().describe('the configured check name, or the URL for an ad-hoc probe'),
        url: z.string(),
        ok: z.boolean().describe('up: the expected status (and body text, if asked) arrived in time'),
        status: z.number().int().optional().describe('HTTP status received; absent when no response came'),
        durationMs: z.number().describe('time to the answer or the failure, milliseconds'),
        error: z.string().optional().describe('why the check is down, in words'),
        failure: z
          .enum(HTTP_PROBE_FAILURES)
          .optional()
          .describe('why the check is down, as a code (refused, dns, tls, timeout, status, body, ...)'),
        bodyMatched: z.boolean().optional().describe('whether the body held the bodyMatch text, when one was given'),
      }),
    ),
  }),
  target: () => ({}),
  plan: (a) => `probe ${a.url ?? (a.name ? `the HTTP check ${a.name}` : 'every configured HTTP check')}`,
  async handler(args, ctx) {
    const prober = ctx.deps.clients.http;
    if (!prober) throw new ToolFailure('failed to check HTTP: the HTTP prober is not set up');
    if (args.name && args.url)
      throw ToolFailure.of('ERR_CONFLICTING_ARGS', 'give either name (a configured check) or url, not both');
    const checks: { name: string; options: HttpProbeOptions }[] = [];
    if (args.url) {
      // Ad-hoc URLs are limited to the configured checks and safety.httpAllow: no probing of internal addresses.
      const { httpChecks, safety } = ctx.deps.config;
      const refusal = createHttpAllowPolicy(
        httpChecks.map((c) => c.url),
        safety.httpAllow,
      ).refusal(args.url);
      if (refusal) throw ToolFailure.of('ERR_TARGET_NOT_ALLOWED', refusal);
      checks.push({
        name: args.url,
        options: {
          url: args.url,
          ...(args.expectStatus !== undefined ? { expectStatus: args.expectStatus } : {}),
          ...(args.bodyMatch !== undefined ? { bodyMatch: args.bodyMatch } : {}),
          timeoutMs: args.timeoutSeconds * 1000,
          signal: ctx.signal,
        },
      });
    } else {
      const configured = ctx.deps.config.httpChecks.filter((c) => !args.name || c.name === args.name);
      if (args.name && configured.length === 0) {
        const known = ctx.deps.config.httpChecks.map((c) => c.name).join(', ') || 'none';
        throw ToolFailure.of('ERR_UNKNOWN_TARGET', `unknown HTTP check "${args.name}"; configured checks: ${known}`);
      }
      for (const c of configured) checks.push({ name: c.name, options: fromConfig(c, ctx.signal) });
    }
    if (checks.length === 0) return { text: 'No HTTP checks are configured (httpChecks).', data: { results: [] } };
    const results = await Promise.all(checks.map(async (c) => ({ name: c.name, ...(await prober.probe(c.options)) })));
    const down = results.filter((r) => !r.ok).length;
    return {
      text: `${results.length - down}/${results.length} up\n${results.map((r) => line(r.name, r)).join('\n')}`,
      data: { results },
    };
  },
});

export const httpTools = [checkHttp];
