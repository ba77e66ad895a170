/**
 * ProxmoxError: every failure of the Proxmox client, with a message an operator can act on.
 * Messages never contain the token secret (they are built from the method, path and reply only).
 */

export const PROXMOX_ERROR_KINDS = [
  'auth',
  'permission',
  'api',
  'params',
  'unreachable',
  'network',
  'tls',
  'timeout',
  'aborted',
  'task',
] as const;
export type ProxmoxErrorKind = (typeof PROXMOX_ERROR_KINDS)[number];

export class ProxmoxError extends Error {
  constructor(
    message: string,
    readonly kind: ProxmoxErrorKind,
    /** HTTP status when Proxmox answered. */
    readonly status?: number,
    /** Proxmox's own text (reason phrase or JSON message, first line). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ProxmoxError';
  }
}

/** The pinned certificate did not match: carries what the server presented, for the remedy to quote. */
export class ProxmoxPinMismatchError extends ProxmoxError {
  constructor(
    /** SHA-256 fingerprint the server presented, `AA:BB:...`. */
    readonly presented: string,
    /** The fingerprint `proxmox.tls.fingerprint` pins. */
    readonly pinned: string,
  ) {
    super(
      `Proxmox TLS certificate fingerprint mismatch: the server presented ${presented}, but proxmox.tls.fingerprint is ${pinned}`,
      'tls',
    );
    this.name = 'ProxmoxPinMismatchError';
  }
}

/** The node a `/nodes/{node}/...` path is proxied to, for 595 messages. */
function nodeOfPath(path: string): string | undefined {
  const m = /^\/nodes\/([^/]+)/.exec(path);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/**
 * Maps an HTTP error reply to a ProxmoxError. `reason` is the JSON `message` (first line) or,
 * for replies without a body (401, 595), the status line's reason phrase.
 */
export function httpError(
  method: string,
  path: string,
  status: number,
  reason: string,
  fieldErrors?: Record<string, string>,
): ProxmoxError {
  const r = reason.trim();
  switch (status) {
    case 401:
      return new ProxmoxError(
        `Proxmox rejected the API token (401 ${r || 'Authentication failed!'}): check proxmox.tokenId and tokenSecret`,
        'auth',
        status,
        r,
      );
    case 403: {
      const m = /\(([^,]+), ([^)]+)\)/.exec(r);
      const what = m ? `the API token lacks ${m[2]} on ${m[1]}` : 'the API token lacks a privilege';
      return new ProxmoxError(`Proxmox denied ${method} ${path}: ${what} (403 ${r})`, 'permission', status, r);
    }
    case 400: {
      const detail =
        fieldErrors && Object.keys(fieldErrors).length
          ? Object.entries(fieldErrors)
              .map(([k, v]) => `${k}: ${v}`)
              .join('; ')
          : r;
      return new ProxmoxError(`Proxmox refused the parameters of ${method} ${path}: ${detail}`, 'params', status, r);
    }
    case 595: {
      const node = nodeOfPath(path);
      return new ProxmoxError(
        `${node ? `node ${node}` : 'Proxmox node'} unreachable (595 ${r || 'No route to host'})`,
        'unreachable',
        status,
        r,
      );
    }
    case 500:
      return new ProxmoxError(r || `Proxmox failed ${method} ${path} (500)`, 'api', status, r);
    default:
      return new ProxmoxError(`Proxmox answered ${method} ${path} with ${status}${r ? ` ${r}` : ''}`, 'api', status, r);
  }
}
