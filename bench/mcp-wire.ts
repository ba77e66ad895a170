/**
 * MCP Streamable HTTP on the wire, as the load generator sends it: one initialize (2025-11-25) that
 * yields the Mcp-Session-Id, the initialized notification, then tools/call POSTs that reuse the
 * session. Used to open the session autocannon reuses and to check, before and after each run,
 * that a call really answers with a result (autocannon only sees HTTP status codes).
 */

export const PROTOCOL_VERSION = '2025-11-25';

/** An open MCP session: the headers every call in it carries, and how long its initialize took. */
export interface WireSession {
  url: string;
  headers: Record<string, string>;
  initializeMs: number;
}

/** The JSON-RPC message of a response, whether the server answered with JSON or an SSE stream. */
export function parseRpcBody(contentType: string | null, text: string): Record<string, unknown> {
  if (contentType?.includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .filter((l) => l.length > 0);
    const last = data.at(-1);
    if (last === undefined) throw new Error(`SSE response without a data line: ${text.slice(0, 200)}`);
    return JSON.parse(last) as Record<string, unknown>;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ res: Response; text: string }> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { res, text: await res.text() };
}

/** Opens one session: initialize, read Mcp-Session-Id, send notifications/initialized. */
export async function openSession(url: string, token: string | undefined): Promise<WireSession> {
  const base: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  const t0 = performance.now();
  const { res, text } = await post(url, base, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'vigil-bench', version: '0' } },
  });
  const initializeMs = performance.now() - t0;
  const sessionId = res.headers.get('mcp-session-id');
  if (res.status !== 200 || !sessionId) throw new Error(`initialize: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const init = parseRpcBody(res.headers.get('content-type'), text);
  const negotiated = (init.result as { protocolVersion?: string } | undefined)?.protocolVersion;
  if (negotiated !== PROTOCOL_VERSION) throw new Error(`initialize: server chose protocol ${negotiated}`);
  const headers = { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION };
  const note = await post(url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
  if (note.res.status !== 202) throw new Error(`notifications/initialized: HTTP ${note.res.status}`);
  return { url, headers, initializeMs };
}

/** The tools/call body the load generator sends; `[<id>]` is autocannon's per-request id placeholder. */
export function callBody(tool: string, id: string | number = '[<id>]'): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: {} } });
}

/** One tools/call in the session; throws unless it answers 200 with a result that is not an error. */
export async function checkCall(session: WireSession, tool: string): Promise<void> {
  const res = await fetch(session.url, { method: 'POST', headers: session.headers, body: callBody(tool, 'check') });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`tools/call ${tool}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const msg = parseRpcBody(res.headers.get('content-type'), text);
  const result = msg.result as { isError?: boolean } | undefined;
  if (!result || result.isError) throw new Error(`tools/call ${tool} did not succeed: ${text.slice(0, 300)}`);
}
