/**
 * Errors people meet at the command line, explained the same way by every command: what happened,
 * in words, and what to do about it. Anything not recognised here is left to the caller.
 */

/** Whether `id` has the shape of an approval id (`apr_` and 6–40 URL-safe characters). */
export function isApprovalId(id: string): boolean {
  return /^apr_[A-Za-z0-9_-]{6,40}$/.test(id);
}

/** The line for an approval id that cannot be one; shared by `approve` and `deny`. */
export function malformedApprovalId(command: string, id: string): string {
  return `${command}: "${id}" is not an approval id; they look like apr_ followed by 6–40 letters, digits, _ or - (see "vigil status" or GET /api/approvals for pending ones)`;
}

/** The line for `vigil init` onto a file that is already there. */
export function configExists(file: string): string {
  return `${file} already exists; vigil init never overwrites a config. Edit it and run "vigil check --config ${file}", or pass --config NEW_FILE for a fresh example`;
}

/**
 * Why a server could not listen on `host:port`, with the fix; undefined for an error that is not
 * about listening. `portFlag` names the option that changes the port.
 */
export function explainListenError(err: unknown, host: string, port: number, portFlag = '--port'): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use (another vigil, or another program): pass ${portFlag} N (0 picks a free port), or stop what holds it (e.g. "ss -ltnp 'sport = :${port}'")`;
    case 'EACCES':
      return `not allowed to listen on ${where}: ports below 1024 need privileges; pass ${portFlag} N with N ≥ 1024`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine; pass --host with one of its addresses (default 127.0.0.1)`;
    default:
      return undefined;
  }
}
