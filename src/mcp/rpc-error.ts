/**
 * A JSON-RPC error for a request handler to throw. The SDK sends a thrown error's `code` and
 * `message` as they are; its McpError (ProtocolError since SDK v2) would put "MCP error <code>: " into the message, and the
 * client's SDK adds that prefix again (the doubled prefix issue 10 reports).
 */
export function rpcError(code: number, message: string, data?: unknown): Error & { code: number; data?: unknown } {
  return Object.assign(new Error(message), { code }, data === undefined ? {} : { data });
}
