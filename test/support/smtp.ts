// A local SMTP server on loopback for the e-mail notice tests (issue 17 item 3):
// the smtp-server package, never a real server. It keeps every letter it
// accepted with its envelope, decodes the subject and the text (encoded words,
// base64, quoted-printable) independently of the sender's code, and can refuse
// chosen recipients for good (550).
import { SMTPServer } from 'smtp-server';

export interface ReceivedLetter {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly subject: string;
  readonly text: string;
}

export interface LocalSmtp {
  readonly port: number;
  readonly letters: ReceivedLetter[];
  /** Recipients refused with 550 (permanent). */
  readonly refuse: Set<string>;
  /** Stops listening: a server that is down. Closing a closed server does nothing. */
  close(): Promise<void>;
  /** Listens again on the same port after close(), keeping the letters accepted so far and the refusals. */
  restart(): Promise<void>;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header value. */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
}

/** Quoted-printable to UTF-8 text. */
function qp(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(t[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export function parseLetter(raw: string): { headers: Record<string, string>; subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? qp(body)
        : body;
  return { headers, subject: decodeWords(headers.subject ?? ''), text: text.replace(/\r\n/g, '\n').trimEnd() };
}

/** Starts the server on 127.0.0.1 (`port` 0: any free port). */
export async function startLocalSmtp(port = 0): Promise<LocalSmtp> {
  const letters: ReceivedLetter[] = [];
  const refuse = new Set<string>();
  const listen = async (at: number): Promise<SMTPServer> => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (refuse.has(address.address)) {
          const e = new Error('Mailbox unavailable') as Error & { responseCode: number };
          e.responseCode = 550;
          return cb(e);
        }
        cb();
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          letters.push({ from, to: session.envelope.rcptTo.map((a) => a.address), raw, ...parseLetter(raw) });
          cb();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => resolve());
    });
    return server;
  };
  let server: SMTPServer | null = await listen(port);
  const address = server.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    port: bound,
    letters,
    refuse,
    close: async () => {
      const running = server;
      server = null;
      if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
    },
    restart: async () => {
      server ??= await listen(bound);
    },
  };
}
