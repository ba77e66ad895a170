/**
 * The helpers every cli command handler shares: printing, reading options, opening the config and
 * the core, reporting a pipeline result, asking on a terminal. No command logic lives here.
 */
import { createInterface } from 'node:readline/promises';
import { loadConfig, resolveConfigPath, secretValues } from '../config/index.js';
import type { VigilConfig } from '../config/types.js';
import { LOG_FORMATS, type LogFormat } from '../config/types.js';
import { createLogger } from '../logger.js';
import { openCore as openCoreOf, type Core } from '../core.js';
import { createClients } from '../clients/index.js';
import type { Caller } from '../contracts/tiers.js';
import type { ExecuteResult } from '../mcp/pipeline.js';
import { UsageError } from './table.js';

/** A parsed command line's option values, by long name. */
export type Values = Record<string, string | boolean | undefined>;

/** Who the cli acts as in the pipeline: the operator at the terminal. */
export const CLI_OPERATOR: Caller = { kind: 'operator', id: 'cli' };

/** Writes one line to stdout. */
export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Writes one line to stderr, prefixed "vigil: ". */
export function fail(line: string): void {
  process.stderr.write(`vigil: ${line}\n`);
}

/** The string value of option `name`, or undefined when it is absent or a flag. */
export const str = (v: Values, name: string): string | undefined => (typeof v[name] === 'string' ? v[name] : undefined);

/** `--log-format` beats the config's `logging.format`; a bad value is a usage error. */
export function logFormatOf(v: Values, config?: VigilConfig): LogFormat {
  const raw = str(v, 'log-format');
  if (raw === undefined) return config?.logging.format ?? 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(raw))
    throw new UsageError(`--log-format: expected one of ${LOG_FORMATS.join(', ')}, got "${raw}"`);
  return raw as LogFormat;
}

/** Loads the config named by `--config` (or the default path). */
export function openConfig(v: Values): VigilConfig {
  return loadConfig(resolveConfigPath(str(v, 'config')));
}

/** Opens the core for `config`, with the world's clients when `withClients`, competing for leadership when `compete`. */
export function openCore(config: VigilConfig, v: Values, withClients = false, compete = false): Promise<Core> {
  const logger = createLogger(config.logging.level, secretValues(config), logFormatOf(v, config));
  return openCoreOf({ config, logger, compete, ...(withClients ? { clients: createClients(config, logger) } : {}) });
}

/** Prints a pipeline result; returns the exit code. */
export function report(result: ExecuteResult): number {
  if (result.kind === 'protocol_error') {
    fail(result.message);
    return 2;
  }
  (result.isError ? fail : out)(result.text);
  return result.isError ? 1 : 0;
}

/** Asks `question` on a terminal; without one (or without a yes) the answer is no. */
export async function confirmOnTty(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** Runs `run` on the core being opened and closes it afterwards, whatever happens. */
export async function withCore<T>(opening: Promise<Core>, run: (core: Core) => Promise<T>): Promise<T> {
  const core = await opening;
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}
