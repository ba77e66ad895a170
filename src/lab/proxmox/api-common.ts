/**
 * What every `/api2/json` route module of the simulator shares: the request context, the
 * privilege check (403), parameter errors (400), the proxy step to a node (500 unknown, 595
 * offline) and the lookup of a guest by node, type and vmid.
 */
import type { LabState } from '../state.js';
import { ApiError } from './http.js';
import type { LabGuest, LabNode } from './world.js';

/** An API token the simulator accepts. `privs` holds privilege names; `*` grants all. */
export interface LabToken {
  /** `user@realm!name`. */
  id: string;
  secret: string;
  privs: readonly string[];
}

/** Per-request context: the world, the authenticated token, the server certificate fingerprint. */
export interface ApiContext {
  state: LabState;
  token: LabToken;
  fingerprint: string;
}

export const has = (ctx: ApiContext, priv: string) => ctx.token.privs.includes('*') || ctx.token.privs.includes(priv);

/** `raise_perm_exc("$path, $priv")` in RPCEnvironment. */
export function need(ctx: ApiContext, permPath: string, priv: string): void {
  if (!has(ctx, priv)) throw new ApiError(403, `Permission check failed (${permPath}, ${priv})`);
}

export function paramError(field: string, msg: string): ApiError {
  return new ApiError(400, 'Parameter verification failed.', { errors: { [field]: msg } });
}

/** The proxy step for `/nodes/{node}/...`: unknown node → 500, offline node → 595. */
export function proxied(ctx: ApiContext, name: string): LabNode {
  const n = ctx.state.getNode(name);
  if (!n) throw new ApiError(500, `no such cluster node '${name}'`);
  if (!n.online) throw new ApiError(595, 'No route to host', { emptyBody: true });
  return n;
}

export function vmidParam(raw: string): number {
  if (!/^\d+$/.test(raw)) throw paramError('vmid', `type check ('integer') failed - got '${raw}'`);
  const v = Number(raw);
  if (v < 100 || v > 999999999) throw paramError('vmid', `value must have a minimum value of 100`);
  return v;
}

export function guestOn(ctx: ApiContext, node: string, type: 'qemu' | 'lxc', vmid: number): LabGuest {
  const g = ctx.state.getGuest(vmid);
  if (!g || g.node !== node || g.type !== type) {
    const dir = type === 'qemu' ? 'qemu-server' : 'lxc';
    throw new ApiError(500, `Configuration file 'nodes/${node}/${dir}/${vmid}.conf' does not exist`);
  }
  return g;
}

export function intArg(args: Record<string, string>, field: string): number | undefined {
  const raw = args[field];
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw paramError(field, `type check ('integer') failed - got '${raw}'`);
  return Number(raw);
}
