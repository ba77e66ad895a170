/** Shell-injection probes shared by the real-sshd tests: hostile payloads, and a check that each builds inertly or not at all. */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import {
  buildCommand,
  CommandValidationError,
  type CommandSpec,
  type RemoteCommand,
} from '../../src/clients/commands/index.js';

/** Payloads that would create `canary` if any part of them reached a shell unquoted. */
export function shellPayloads(canary: string): string[] {
  return [
    `; touch ${canary}`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `\ntouch ${canary}`,
    `' ; touch ${canary} ; '`,
    `" ; touch ${canary} ; "`,
    `--help; touch ${canary}`,
    `-- ; touch ${canary}`,
    `-rf ${canary}`,
  ];
}

/**
 * Builds each spec: validation may refuse it (a CommandValidationError), otherwise it is run and the
 * canary must still be absent. Returns how many ran, so a caller can insist that some did.
 */
export async function expectEachInert(
  specs: readonly CommandSpec[],
  run: (command: RemoteCommand) => Promise<unknown>,
  canary: string,
): Promise<number> {
  let ran = 0;
  for (const spec of specs) {
    let command: RemoteCommand;
    try {
      command = buildCommand(spec);
    } catch (err) {
      expect(err).toBeInstanceOf(CommandValidationError);
      continue;
    }
    ran += 1;
    await run(command);
    expect(existsSync(canary), `${spec.kind} ${JSON.stringify(spec)}`).toBe(false);
  }
  return ran;
}
