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
