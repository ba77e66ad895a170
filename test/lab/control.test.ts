// Pins the lab control API under /_lab/: chaos actions, state snapshot, and validation errors that name the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import { labRequest } from './http.js';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ taskMs: 10, extraServices: [] });
});
afterAll(async () => {
  await lab.close();
});
const ctl = (method: string, path: string, body?: unknown) =>
  labRequest(lab, method, `/_lab${path}`, { auth: 'none', body });

describe('lab control API', () => {
  it('needs no token and serves the state snapshot', async () => {
    const r = await ctl('GET', '/state');
    expect(r.status).toBe(200);
    expect(r.json.nodes).toHaveLength(3);
    expect(r.json.guests[0]).toMatchObject({ vmid: 100, node: 'pve1' });
  });

  it('crash, operator stop, lock and unlock', async () => {
    expect((await ctl('POST', '/guests/100/crash')).json).toEqual({ ok: true });
    expect(lab.state.getGuest(100)!.status).toBe('stopped');
    const stop = await ctl('POST', '/guests/101/stop');
    expect(stop.json.upid).toMatch(/:vzstop:101:root@pam:$/);
    expect((await ctl('POST', '/guests/102/lock', { lock: 'backup' })).json.lock).toBe('backup');
    expect((await ctl('POST', '/guests/102/lock', { lock: null })).json.lock).toBeNull();
    expect((await ctl('POST', '/guests/102/lock', { lock: '' })).json.lock).toBeNull();
  });

  it('node down/up, service fail/restore, usage', async () => {
    await ctl('POST', '/nodes/pve2/down');
    expect(lab.state.getNode('pve2')!.online).toBe(false);
    await ctl('POST', '/nodes/pve2/up');
    expect(lab.state.getNode('pve2')!.online).toBe(true);
    expect((await ctl('POST', '/nodes/pve1/services/nginx/fail')).json.state).toBe('failed');
    expect((await ctl('POST', '/nodes/pve1/services/nginx.service/restore')).json.state).toBe('active');
    const u = await ctl('PUT', '/nodes/pve1/usage', { diskPercent: 92.5, memoryPercent: 40 });
    expect(u.json.usage.diskPercent).toBeCloseTo(92.5, 3);
  });

  it('rejects bad input with 400/404 naming the field or the object', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['PUT', '/nodes/pve1/usage', { diskPercent: 101 }, 400, /^diskPercent:/],
      ['PUT', '/nodes/pve1/usage', { memoryPercent: 'high' }, 400, /^memoryPercent:/],
      ['PUT', '/nodes/pve1/usage', { cpuPercent: 5 }, 400, /^cpuPercent: unknown field/],
      ['PUT', '/nodes/pve1/usage', {}, 400, /^diskPercent:/],
      ['PUT', '/nodes/pve1/usage', [1], 400, /^body:/],
      ['POST', '/guests/100/lock', { lock: 'party' }, 400, /^lock: expected one of/],
      ['POST', '/guests/100/lock', {}, 400, /^lock: required/],
      ['POST', '/guests/999/crash', undefined, 404, /no such guest 999/],
      ['POST', '/nodes/pve9/down', undefined, 404, /no such node pve9/],
      ['POST', '/nodes/pve1/services/nope/fail', undefined, 404, /no such service nope/],
      ['DELETE', '/state', undefined, 404, /no lab control route/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await ctl(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(r.json.error, `${method} ${path}`).toMatch(message);
    }
  });
});
