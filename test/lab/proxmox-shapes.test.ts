// Pins that the lab's Proxmox API payloads have the field names and JSON types of the real samples in test/fixtures/proxmox.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../src/lab/index.js';
import { api, labRequest } from './http.js';
import { partialKeys, shapeDiff, unionShape } from './shape.js';

const SAMPLES = new URL('../fixtures/proxmox/', import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sample = (name: string): any => JSON.parse(readFileSync(new URL(name, SAMPLES), 'utf8'));
type Entry = Record<string, unknown>;

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ taskMs: 20, extraServices: [] });
});
afterAll(async () => {
  await lab.close();
});

/** Compares every lab entry of a type with the union of the sample entries of that type. */
function compareByType(samples: Entry[], actual: Entry[], optional: string[] = []): void {
  const types = new Set(samples.map((s) => String(s.type)));
  for (const type of types) {
    const ofType = samples.filter((s) => s.type === type);
    const mine = actual.filter((a) => a.type === type);
    expect(mine.length, `lab has entries of type ${type}`).toBeGreaterThan(0);
    const rules = { optional: [...partialKeys(ofType), ...optional] };
    for (const entry of mine)
      expect(shapeDiff(unionShape(ofType), entry, rules), `${type} ${String(entry.id)}`).toEqual([]);
  }
}

describe('lab payload shapes match the real samples', () => {
  it('GET /cluster/resources (online nodes)', async () => {
    const res = await api(lab, '/cluster/resources');
    expect(res.status).toBe(200);
    compareByType(sample('cluster_resources_pve8.json').data, res.json.data);
  });

  it('GET /cluster/status', async () => {
    const res = await api(lab, '/cluster/status');
    compareByType(sample('cluster_status_pve8.json').data, res.json.data);
  });

  it('GET /nodes', async () => {
    const res = await api(lab, '/nodes');
    const s = sample('nodes_list_pve9.json').data as Entry[];
    for (const entry of res.json.data as Entry[]) expect(shapeDiff(unionShape(s), entry)).toEqual([]);
  });

  it('GET /nodes/{node}/status', async () => {
    const res = await api(lab, '/nodes/pve1/status');
    expect(shapeDiff(sample('node_status_pve9.1.2.json').data, res.json.data)).toEqual([]);
    expect(res.json.data.loadavg.every((x: unknown) => typeof x === 'string')).toBe(true);
  });

  it('GET /nodes/{node}/qemu/{vmid}/status/current of a running VM', async () => {
    const res = await api(lab, '/nodes/pve1/qemu/100/status/current');
    // Runtime extras keyed by device or feature name vary per VM, so they are compared as objects only.
    const rules = { opaque: ['blockstat', 'ballooninfo', 'nics', 'proxmox-support'] };
    expect(shapeDiff(sample('qemu_status_current_pve8.json').data, res.json.data, rules)).toEqual([]);
  });

  it('GET /nodes/{node}/tasks/{upid}/status, running and stopped', async () => {
    const s = sample('task_status_proxmoxer.json');
    const running = lab.state.tasks.run({
      node: 'pve1',
      type: 'vzdump',
      id: '100',
      user: 'root@pam',
      durationMs: 3_600_000,
      work: () => 'OK',
    });
    const r1 = await api(lab, `/nodes/pve1/tasks/${encodeURIComponent(running.upid)}/status`);
    expect(shapeDiff(s.running.data, r1.json.data)).toEqual([]);
    const stopped = await labRequest(lab, 'POST', '/_lab/guests/101/stop');
    const r2 = await api(lab, `/nodes/pve1/tasks/${encodeURIComponent(stopped.json.upid)}/status`);
    expect(shapeDiff(s.stopped_ok.data, r2.json.data)).toEqual([]);
    expect(shapeDiff(s.stopped_error.data, r2.json.data)).toEqual([]);
  });

  it('GET /nodes/{node}/tasks and POST …/status/start', async () => {
    const s = sample('tasks_list_and_power_upids_pve9.0.json');
    const list = await api(lab, '/nodes/pve1/tasks');
    expect(list.json.data.length).toBeGreaterThan(0);
    expect(shapeDiff(s['GET /nodes/pve/tasks'], list.json)).toEqual([]);
    const start = await labRequest(lab, 'POST', '/api2/json/nodes/pve1/lxc/101/status/start');
    expect(shapeDiff(s['POST /nodes/pve/lxc/101/status/start'], start.json)).toEqual([]);
    expect(start.json.data).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:vzstart:101:root@pam!vigil:$/);
  });
});

describe('shapeDiff', () => {
  it('reports missing fields and type changes, allows extra and optional ones', () => {
    expect(
      shapeDiff({ a: 1, b: 'x', c: [{ d: 1 }] }, { a: '1', c: [{ d: 2 }, { e: 1 }], z: 1 }, { optional: [] }),
    ).toEqual(['a: expected number, got string', 'b: missing', 'c.*.d: missing']);
    expect(shapeDiff({ a: 1, b: 2 }, { a: 3 }, { optional: ['b'] })).toEqual([]);
  });
});
