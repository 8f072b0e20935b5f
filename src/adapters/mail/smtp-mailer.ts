// Letters to officers through the node's SMTP server (issue 17 item 3), with
// nodemailer. EIX_SMTP_URL names the server: smtps://user:password@host:465 or
// smtp://user:password@host:587 (STARTTLS). Off the loopback interface a plain
// smtp:// server must offer STARTTLS (the password and the letters do not travel
// in clear) unless the URL says ?requireTLS=false (a relay on a closed network).
import { createTransport } from 'nodemailer';
import type { Letter, MailFailure, Mailer } from '../../ports/mailer.js';

export interface SmtpMailerOptions {
  readonly url: string;
  /** The sender (EIX_MAIL_FROM): an address, or «Name <address>». */
  readonly from: string;
  /** Waits for the connection, the greeting and each answer (default 10 s, 10 s, 30 s). */
  readonly timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** The server's host and port as the administrator's page may show them (never the user name or password). */
export function smtpServerName(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'smtps:' ? '465' : '587')}`;
}

/** What went wrong, as stored (domain/mail.ts mailErrorRu reads it), and whether the server refused for good. */
export function smtpFailure(e: unknown): MailFailure {
  const err = e as { code?: string; responseCode?: number; message?: string; errno?: string };
  const text = `${err.message ?? ''} ${err.errno ?? ''}`;
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return { error: 'auth', permanent: false };
  if (typeof err.responseCode === 'number' && err.responseCode >= 400)
    return { error: `smtp:${err.responseCode}`, permanent: err.responseCode >= 500 };
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(text)) return { error: 'refused', permanent: false };
  if (err.code === 'ETIMEDOUT' || /ETIMEDOUT|timeout/i.test(text)) return { error: 'timeout', permanent: false };
  if (err.code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(text)) return { error: 'dns', permanent: false };
  if (err.code === 'ETLS' || /certificate|TLS|SSL/i.test(text)) return { error: 'tls', permanent: false };
  return { error: `network:${err.code ?? 'unknown'}`.slice(0, 200), permanent: false };
}

export function smtpMailer(opts: SmtpMailerOptions): Mailer {
  const u = new URL(opts.url);
  const timeout = opts.timeoutMs ?? 10_000;
  const transport = createTransport(
    {
      url: opts.url,
      // The URL's own ?requireTLS=… wins (nodemailer merges the URL's options over these).
      requireTLS: !LOOPBACK.has(u.hostname) && u.protocol === 'smtp:',
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
      disableFileAccess: true,
      disableUrlAccess: true,
    },
    { from: opts.from },
  );
  return {
    send: async (letter: Letter, signal?: AbortSignal) => {
      if (signal?.aborted) return { error: 'network:stopped', permanent: false };
      try {
        await transport.sendMail({
          // An address object: the stored address is never parsed as a list of recipients.
          to: { name: '', address: letter.to },
          subject: letter.subject,
          text: letter.text,
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
        return null;
      } catch (e) {
        return smtpFailure(e);
      }
    },
    close: () => transport.close(),
  };
}
