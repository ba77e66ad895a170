/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps every mail it accepts, with just enough
 * MIME parsing for the tests: unfolded headers, RFC 2047 subjects, 7bit/quoted-printable/base64 text.
 * It can be stopped and started again on the same port, as an SMTP outage would look.
 */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  /** Envelope recipients (RCPT TO). */
  rcptTo: string[];
  headers: Map<string, string>;
  subject: string;
  text: string;
  /** The test clock when the mail arrived. */
  at: number;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export const SMTP_USER = 'vigil';
export const SMTP_PASSWORD = 'smtp-pass-Zq81x';

/** Starts the sink; it requires AUTH with SMTP_USER / SMTP_PASSWORD. `clock` stamps arrivals. */
export async function startSmtpSink(clock: () => number = () => 0): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        onAuth(auth, _session, cb) {
          if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
          else cb(new Error('Invalid username or password'));
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const envelope = session.envelope;
            mails.push({
              ...parseMail(Buffer.concat(chunks).toString('latin1')),
              from: envelope.mailFrom ? envelope.mailFrom.address : '',
              rcptTo: envelope.rcptTo.map((r) => r.address),
              at: clock(),
            });
            cb();
          });
        },
      });
      s.on('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.server.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    mails,
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    start: listen,
  };
}

function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text'> {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4);
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body, 'base64')
      : encoding === 'quoted-printable'
        ? Buffer.from(
            body
              .replace(/=\r\n/g, '')
              .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          )
        : Buffer.from(body, 'latin1');
  return {
    headers,
    subject: decodeWords(headers.get('subject') ?? ''),
    text: bytes.toString('utf8').replace(/\r\n/g, '\n'),
  };
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}
