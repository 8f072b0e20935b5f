// R4.c: the cross-border picture of one enforcement proceeding: what every
// requested Party reported, in its answers to the proceeding's requests, as
// collected, arrested or put up for sale in its own enforcement proceedings.
// Each request is read through getRequest, so every read of received answers
// leaves its audit entry (R9.1) exactly as opening the request does.
import type { AnswerData } from '../domain/answer.js';
import type { Actor, AppContext } from './context.js';
import { getRequest } from './get-request.js';
import { getProceeding } from './list-proceedings.js';

type Reported = NonNullable<AnswerData['proceedings']>[number];

/** One proceeding of another Party and its results (R4.c). */
export interface CrossBorderEntry {
  /** The Party that reported it (the requested Party). */
  readonly party: string;
  /** That Party's proceeding number. */
  readonly number: string;
  readonly collected?: Reported['collected'];
  readonly arrested?: Reported['arrested'];
  readonly forSale?: Reported['forSale'];
}

export type ProceedingDetail = Awaited<ReturnType<typeof getProceeding>>;

/** States in which a request holds answers. */
const ANSWERED: readonly string[] = ['answered', 'partially_answered'];

export async function getCrossBorderPicture(
  ctx: AppContext,
  actor: Actor,
  proceedingId: string,
): Promise<{ proceeding: ProceedingDetail; picture: CrossBorderEntry[] }> {
  const proceeding = await getProceeding(ctx, actor, proceedingId);
  const picture: CrossBorderEntry[] = [];
  for (const r of proceeding.requests) {
    if (!ANSWERED.includes(r.state)) continue;
    const v = await getRequest(ctx, actor, r.id);
    for (const a of v.answers) {
      // A purged answer (R9.6) has no data left to report.
      for (const x of (a.data as AnswerData | null)?.proceedings ?? []) {
        picture.push({
          party: r.counterpartParty,
          number: x.number,
          collected: x.collected,
          arrested: x.arrested,
          forSale: x.forSale,
        });
      }
    }
  }
  return { proceeding, picture };
}
