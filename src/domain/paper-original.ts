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
