// The officer's lists (issue 14, item 1): the work queue and the archive,
// incoming and outgoing, filtered by state, Party, body, period, R12.c term
// and a search over the blind index (debtor name in any spelling, national
// id, executive document, request number); sorted from a whitelist; paged by
// an opaque keyset cursor (fast at any depth) with a capped total. Each item
// carries the debtor, what was asked and the term; reading the debtors of
// incoming requests is logged once per read (R9.1, see request-list.ts).
import Type from 'typebox';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import {
  auditListRead,
  checkListInput,
  countCapped,
  decodeCursor,
  encodeCursor,
  filterProperties,
  listCondition,
  selectPage,
  sortOf,
  sortProperties,
  toItems,
  type RequestListItem,
} from './request-list.js';

export type { RequestListItem } from './request-list.js';

export const ListRequestsInput = Type.Object(
  {
    ...filterProperties,
    ...sortProperties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    /** The next page: `nextCursor` of the previous one (opaque). */
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 600 })),
    /** Kept for old callers; slow deep in a large list — use `cursor`. */
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

export const TOTAL_CAP = 10_000;

export interface RequestList {
  items: RequestListItem[];
  /** Rows matching the filters, counted up to TOTAL_CAP. */
  total: number;
  totalCapped: boolean;
  /** The cursor of the next page; null on the last page. */
  nextCursor: string | null;
}

export async function listRequests(ctx: AppContext, actor: Actor, input: unknown): Promise<RequestList> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = checkListInput(ListRequestsInput, input);
  const s = sortOf(p);
  const list = { direction: p.direction, ...s };
  const after = p.cursor ? decodeCursor(p.cursor, list) : null;
  const limit = p.limit ?? 50;
  return ctx.db.transaction().execute(async (tx) => {
    const where = await listCondition(tx, ctx, o, p);
    if (!where) return { items: [], total: 0, totalCapped: false, nextCursor: null };
    const { total, totalCapped } = await countCapped(tx, where, TOTAL_CAP);
    // One row more than the page tells whether a next page exists.
    const rows = await selectPage(tx, where, s, limit + 1, after, p.offset);
    const page = rows.slice(0, limit);
    const { items, unsealed } = await toItems(
      tx,
      ctx,
      page.map((r) => r.row),
    );
    await auditListRead(tx, ctx, actor, unsealed, { list: p.direction });
    return {
      items,
      total,
      totalCapped,
      nextCursor: rows.length > limit ? encodeCursor(list, page.at(-1)!.position) : null,
    };
  });
}
