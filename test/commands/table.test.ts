// Pins the CLI's command table: parsing accepts exactly the options a command's help lists, and every mistake is one line with balanced quotes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COMMANDS, UsageError, commandHelp, parseCommandLine, usageText } from '../../src/commands/table.js';

const balanced = (line: string) => (line.match(/"/g) ?? []).length % 2 === 0 && !line.includes('\n');

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('--version, help and --help', () => {
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine([])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help' });
    const status = COMMANDS.find((c) => c.name === 'status');
    expect(parseCommandLine(['help', 'status'])).toEqual({ kind: 'help', command: status });
    expect(parseCommandLine(['status', '--help'])).toEqual({ kind: 'help', command: status });
    expect(parseCommandLine(['status', '-h'])).toEqual({ kind: 'help', command: status });
  });

  it('string options take the next argument or an inline value; positionals stay positionals', () => {
    expect(parseCommandLine(['killswitch', 'on', '--scope', 'all', '--reason=maintenance', '--yes'])).toMatchObject({
      kind: 'run',
      positionals: ['on'],
      values: { scope: 'all', reason: 'maintenance', yes: true },
    });
    expect(parseCommandLine(['serve', '--port', '0', '--config', 'x.yaml'])).toMatchObject({
      positionals: [],
      values: { port: '0', config: 'x.yaml' },
    });
  });

  it('names the mistake in one line', () => {
    expect(usageError(['--bogus'])).toBe('unknown option "--bogus"; run "vigil help" for the list of commands');
    expect(usageError(['frob'])).toBe('unknown command "frob"; run "vigil help" for the list of commands');
    expect(usageError(['status', '--port', '1'])).toMatch(/^status: unknown option "--port"; run "vigil help status"/);
    expect(usageError(['serve', '--port'])).toMatch(/^serve: --port needs a value \(N\)/);
    expect(usageError(['once', '--dry-run=yes'])).toMatch(/^once: --dry-run takes no value/);
    expect(usageError(['approve'])).toMatch(/^approve: expected ID, got none/);
    expect(usageError(['status', 'extra'])).toMatch(/^status: takes no arguments, got "extra"/);
    expect(usageError(['help', 'frob'])).toMatch(/^unknown command "frob"/);
    expect(usageError(['init', '--h'])).toMatch(/^init: unknown option "--h"/);
  });

  it('every option of every command parses, and appears in that command’s help', () => {
    const cases = COMMANDS.flatMap((c) => c.options.map((o) => [c, o] as const));
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.stringMatching(/^[a-z0-9.]{1,8}$/), ([c, o], value) => {
        expect(commandHelp(c)).toContain(`--${o.name}`);
        const args = Array.from({ length: c.positionals.min }, () => 'on');
        const argv = [c.name, ...args, ...(o.type === 'string' ? [`--${o.name}`, value] : [`--${o.name}`])];
        const line = parseCommandLine(argv);
        expect(line).toMatchObject({ kind: 'run', command: c, positionals: args });
        if (line.kind === 'run') expect(line.values[o.name]).toBe(o.type === 'string' ? value : true);
      }),
    );
  });

  it('any other option is refused with a one-line message whose quotes balance', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...COMMANDS.filter((c) => c.name !== 'help')),
        fc.stringMatching(/^[a-z][a-z-]{0,12}$/),
        (c, name) => {
          fc.pre(!c.options.some((o) => o.name === name) && name !== 'help');
          const message = usageError([c.name, `--${name}`]);
          expect(message).toContain(`"--${name}"`);
          expect(balanced(message)).toBe(true);
        },
      ),
    );
  });

  it('the general usage lists every command', () => {
    for (const c of COMMANDS) expect(usageText()).toContain(`  ${c.name}`);
  });
});
