/**
 * A JSON-RPC error for a request handler to throw. The SDK sends a thrown error's `code` and
 * `message` as they are; its McpError would put "MCP error <code>: " into the message, and the
 * client's SDK adds that prefix again (the doubled prefix issue 10 reports).
 */
export function rpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}
