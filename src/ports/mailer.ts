// Sending a letter (issue 17 item 3): the node's SMTP server in production
// (src/adapters/mail/smtp-mailer.ts), a local one on loopback in tests.

export interface Letter {
  readonly to: string;
  readonly subject: string;
  /** Plain text. */
  readonly text: string;
}

/** Why a letter was not sent: a stored code (domain/mail.ts mailErrorRu reads it) and whether another try may help. */
export interface MailFailure {
  readonly error: string;
  /** The server refused the letter for good (a 5xx answer): another attempt would be refused again. */
  readonly permanent: boolean;
}

export interface Mailer {
  /** null when the server accepted the letter. */
  send(letter: Letter, signal?: AbortSignal): Promise<MailFailure | null>;
  close(): void;
}
