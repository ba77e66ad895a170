// Pins the error-code registry: every code has a message template and an HTTP status, and the texts people read stay as they were.
import { describe, expect, it } from 'vitest';
import {
  ALL_ERROR_CODES,
  ERROR_CODES,
  errorMessage,
  errorStatus,
  isKillSwitchCode,
} from '../../src/contracts/errors.js';
import { ToolFailure } from '../../src/errors.js';

describe('error registry', () => {
  it('gives every code a template that says something and an HTTP error status', () => {
    expect(ALL_ERROR_CODES.length).toBeGreaterThan(10);
    for (const code of ALL_ERROR_CODES) {
      expect(code).toMatch(/^ERR_[A-Z_]+$/);
      const spec = ERROR_CODES[code];
      const args = Array.from({ length: spec.message.length }, (_, i) => (i % 2 === 0 ? 'x' : 1));
      expect(typeof (spec.message as (...a: unknown[]) => string)(...args)).toBe('string');
      expect((spec.message as (...a: unknown[]) => string)(...args).length).toBeGreaterThan(0);
      expect(errorStatus(code)).toBeGreaterThanOrEqual(400);
      expect(errorStatus(code)).toBeLessThan(600);
    }
  });

  it('renders the messages people read', () => {
    expect(errorMessage('ERR_KILL_SWITCH_ALL', 'maintenance')).toBe(
      'blocked by the kill switch (scope all: no yellow or red action from anyone): maintenance',
    );
    expect(errorMessage('ERR_KILL_SWITCH_AUTONOMY', '')).toBe(
      'blocked by the kill switch (scope autonomy: the monitor takes no action)',
    );
    expect(errorMessage('ERR_UNKNOWN_TOOL', 'nope')).toBe(
      'unknown tool "nope"; call tools/list for the available tools',
    );
    expect(errorMessage('ERR_TIMEOUT', 'start_guest', 500)).toBe(
      'start_guest did not finish within 500 ms and was aborted',
    );
    expect(errorStatus('ERR_UNKNOWN_TOOL')).toBe(404);
    expect(errorStatus('ERR_INVALID_ARGS')).toBe(400);
  });

  it('names the kill-switch codes by code, never by text', () => {
    expect(isKillSwitchCode('ERR_KILL_SWITCH_ALL')).toBe(true);
    expect(isKillSwitchCode('ERR_KILL_SWITCH_AUTONOMY')).toBe(true);
    expect(isKillSwitchCode('ERR_TOOL_FAILED')).toBe(false);
    expect(isKillSwitchCode(undefined)).toBe(false);
  });

  it('gives a ToolFailure the generic code unless it names one, and the registry message with ToolFailure.of', () => {
    expect(new ToolFailure('failed to start VM 101 on pve1: VM is locked (backup)').code).toBe('ERR_TOOL_FAILED');
    const f = ToolFailure.of('ERR_PROTECTED_TARGET', 'stop_guest', 'guest 100');
    expect(f).toMatchObject({
      code: 'ERR_PROTECTED_TARGET',
      message: 'guest 100 is protected (safety.protected): stop_guest is refused',
    });
  });
});
