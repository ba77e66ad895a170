// Pins the benchmark's readings of /proc lines and MCP response bodies, which its CPU-per-call and call checks rest on.
import { describe, expect, it } from 'vitest';
import { cpuMicrosPerCall, median, parseStatTicks, parseStatusKb } from '../../bench/proc.js';
import { parseRpcBody } from '../../bench/mcp-wire.js';

describe('parseStatTicks', () => {
  it('adds utime and stime, counting fields after the last ")" of the command name', () => {
    const line = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 9 0 0 0 1234 567 0 0 20 0 11 0 100 0 0';
    expect(parseStatTicks(line)).toBe(1234 + 567);
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseStatTicks('no parenthesis here')).toThrow(/not a \/proc/);
  });
});

describe('parseStatusKb', () => {
  const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';

  it('reads a kB line in bytes', () => {
    expect(parseStatusKb(status, 'VmRSS')).toBe(102400 * 1024);
    expect(parseStatusKb(status, 'VmHWM')).toBe(204800 * 1024);
  });

  it('is 0 for a line that is absent', () => {
    expect(parseStatusKb(status, 'VmSwap')).toBe(0);
  });
});

describe('cpuMicrosPerCall', () => {
  it('turns a tick delta into microseconds per call', () => {
    const a = { cpuTicks: 100, rssBytes: 0, peakRssBytes: 0 };
    const b = { cpuTicks: 350, rssBytes: 0, peakRssBytes: 0 };
    expect(cpuMicrosPerCall(a, b, 5000, 100)).toBe(500);
  });

  it('is NaN without calls', () => {
    const a = { cpuTicks: 1, rssBytes: 0, peakRssBytes: 0 };
    expect(cpuMicrosPerCall(a, a, 0, 100)).toBeNaN();
  });
});

describe('median', () => {
  it('takes the middle of an odd count and the lower middle of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });
});

describe('parseRpcBody', () => {
  it('reads the last data line of an SSE answer', () => {
    const sse = 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"content":[]}}\n\n';
    expect(parseRpcBody('text/event-stream', sse)).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [] } });
  });

  it('reads a JSON answer', () => {
    expect(parseRpcBody('application/json', '{"jsonrpc":"2.0","id":2,"result":{}}')).toMatchObject({ id: 2 });
  });

  it('says so when an SSE answer has no data', () => {
    expect(() => parseRpcBody('text/event-stream', 'event: message\n\n')).toThrow(/without a data line/);
  });
});
