// R10.a: the request is sent electronically and its paper original follows by
// post. The node reminds the requesting officer of an original not yet
// dispatched once PAPER_DUE_DAYS have passed since sending. Pure: the caller
// passes "now".

/** R10.a: days after sending within which the paper original should be posted (a reminder after that). */
export const PAPER_DUE_DAYS = 10;

const MS_PER_DAY = 86_400_000;

/** R10.a: a request sent before this instant should have its paper original on its way by `now`. */
export function paperOriginalDueBefore(now: Date): Date {
  return new Date(now.getTime() - PAPER_DUE_DAYS * MS_PER_DAY);
}

/** R10.a: sent more than PAPER_DUE_DAYS ago and no dispatch of the original recorded. */
export function isPaperOriginalLate(o: { sentAt: Date | null; dispatched: boolean; now: Date }): boolean {
  return !o.dispatched && o.sentAt !== null && o.sentAt.getTime() < paperOriginalDueBefore(o.now).getTime();
}

// ---- Both ways (R10.a: «с последующим направлением оригинала почтой») ----------
// Every document sent electronically has a paper original: the request (sent
// by the requesting body), the answer and the refusal (sent by the requested
// body). The side that made a document records its dispatch; the other side
// records its arrival.

export const PAPER_DOCUMENTS = ['request', 'answer', 'refusal'] as const;
export type PaperDocument = (typeof PAPER_DOCUMENTS)[number];
export const PAPER_MOVEMENTS = ['dispatch', 'arrival'] as const;
export type PaperMovement = (typeof PAPER_MOVEMENTS)[number];
export type PaperSide = 'requesting' | 'requested';

/**
 * R10.a: for each document, the side that sends its paper original and the
 * history event after which it is due (PAPER_DUE_DAYS later): the request from
 * its sending, the answer from the final answer (its printed form lists every
 * item answered), the refusal from the refusal.
 */
export const PAPER_ORIGINALS: Readonly<
  Record<PaperDocument, { readonly sender: PaperSide; readonly dueFrom: string; readonly exists: readonly string[] }>
> = {
  request: { sender: 'requesting', dueFrom: 'send', exists: ['send', 'receipt'] },
  answer: { sender: 'requested', dueFrom: 'answer_final', exists: ['answer_partial', 'answer_final'] },
  refusal: { sender: 'requested', dueFrom: 'refuse', exists: ['refuse'] },
};

/** What this side records about a document's paper original: its dispatch (its own document) or its arrival. */
export function paperMovementFor(document: PaperDocument, side: PaperSide): PaperMovement {
  return PAPER_ORIGINALS[document].sender === side ? 'dispatch' : 'arrival';
}

/** The documents of a request that exist (were sent electronically) according to its history. */
export function paperDocuments(history: readonly { event: string }[]): PaperDocument[] {
  return PAPER_DOCUMENTS.filter((d) => history.some((h) => PAPER_ORIGINALS[d].exists.includes(h.event)));
}

/**
 * R10.a: the documents of this side whose paper original is late: sent more
 * than PAPER_DUE_DAYS ago and no dispatch recorded.
 */
export function latePaperOriginals(o: {
  history: readonly { event: string; at: Date }[];
  side: PaperSide;
  dispatched: readonly PaperDocument[];
  now: Date;
}): PaperDocument[] {
  return PAPER_DOCUMENTS.filter((d) => {
    const spec = PAPER_ORIGINALS[d];
    if (spec.sender !== o.side) return false;
    const sentAt = o.history.find((h) => h.event === spec.dueFrom)?.at ?? null;
    return isPaperOriginalLate({ sentAt, dispatched: o.dispatched.includes(d), now: o.now });
  });
}

// ---- The short verification code (issue 14, item 8) ---------------------------
// Printed next to the QR code so that a person can type it: 12 characters of
// Crockford base32 (no I, L, O, U), grouped 4-4-4. The first 11 are the first
// 55 bits of the SHA-256 of the signed JWS (the digest the QR code carries);
// the 12th is a Luhn mod 32 check character, so a single mistyped character or
// two swapped neighbours are told apart from an unknown code. Input is read
// leniently: case, spaces and dashes do not matter; O is read as 0, I and L as 1.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 12;

function luhnCheck(values: readonly number[]): number {
  // Luhn mod N over the values, the check character to be appended at the end.
  let factor = 2;
  let sum = 0;
  for (let i = values.length - 1; i >= 0; i--) {
    let addend = factor * values[i]!;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return (32 - (sum % 32)) % 32;
}

/** The short code of a signed document from the SHA-256 (hex) of its JWS: «7K3M-Q9XA-2BCD». */
export function paperShortCode(documentSha256: string): string {
  if (!/^[0-9a-f]{64}$/i.test(documentSha256)) throw new TypeError('paperShortCode: a SHA-256 hex digest is expected');
  // 55 bits: the first 14 hex digits are 56 bits; drop the lowest one.
  let bits = BigInt(`0x${documentSha256.slice(0, 14)}`) >> 1n;
  const values: number[] = [];
  for (let i = 0; i < CODE_LENGTH - 1; i++) {
    values.unshift(Number(bits & 31n));
    bits >>= 5n;
  }
  values.push(luhnCheck(values));
  const s = values.map((v) => CROCKFORD[v]).join('');
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/**
 * A typed short code in its canonical form («7K3M-Q9XA-2BCD»), or why it cannot be one:
 * `shape` — not 12 characters of the code's alphabet; `check` — the check character does not match (a typo).
 */
export function readPaperShortCode(input: string): { code: string } | { problem: 'shape' | 'check' } {
  const s = input
    .toUpperCase()
    .replace(/[\s\-‐-―]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (s.length !== CODE_LENGTH || [...s].some((c) => !CROCKFORD.includes(c))) return { problem: 'shape' };
  const values = [...s].map((c) => CROCKFORD.indexOf(c));
  if (luhnCheck(values.slice(0, -1)) !== values.at(-1)) return { problem: 'check' };
  return { code: `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}` };
}
