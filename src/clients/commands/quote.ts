/**
 * Shell quoting for remote commands. Every variable part of a command goes through
 * `shellQuote`; `splitShellWords` is its inverse for the lab's SSH nodes, which re-render what
 * they parse and compare, so a line that is not exactly what a builder produces is refused.
 */

/** Quotes one word for a POSIX shell: single quotes, with each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits a command line into words the way a POSIX shell would for the subset `shellQuote` and
 * the builders produce: unquoted words, single-quoted segments and backslash escapes. Returns
 * null for anything it does not understand (double quotes, unterminated quotes).
 */
export function splitShellWords(line: string): string[] | null {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      current += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return null;
      current += line[i + 1];
      inWord = true;
      i++;
    } else if (ch === '"') {
      return null;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
