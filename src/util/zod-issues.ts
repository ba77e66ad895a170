/** Turns zod issues into one line each: `path: message`, the way every vigil validation error reads. */
import type { z } from 'zod';

/** `nodes[2].ssh.port: expected number, received string; name: required`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path)}${issue.message}`).join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return `${out}: `;
}
