// The officer's lists: incoming requests by deadline with their R12.c status,
// outgoing requests by state; search by debtor name (any spelling), national
// id, executive document or request number through the blind index. Lists
// carry no received personal data (that is read, and logged, per request).
import Type from 'typebox';
import { sql } from 'kysely';
import { classifyOverdue, requestedEarlier, type OverdueStatus } from '../domain/calendar.js';
import type { IsoDate } from '../domain/dates.js';
import { partyDay } from '../domain/parties.js';
import { REQUEST_STATES, isOpen, type RequestState } from '../domain/workflow.js';
import { CASEWORK_ROLES, requestScope, requireRole } from './authorize.js';
import { blindSearch } from './blind-search.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';

export const ListRequestsInput = Type.Object(
  {
    direction: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')]),
    states: Type.Optional(Type.Array(Type.Enum(REQUEST_STATES), { maxItems: 10 })),
    bodyId: Type.Optional(Type.String({ minLength: 1 })),
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

export const TOTAL_CAP = 10_000;

export interface RequestListItem {
  id: string;
  number: string;
  direction: 'incoming' | 'outgoing';
  state: RequestState;
  bodyId: string;
  counterpartParty: string;
  counterpartBody: { id: string; party: string; name: string };
  confidential: boolean;
  receivedOn: string | null;
  deadline: string | null;
  /** R12.b: «просят исполнить до» (the requesting body's wish; sorts incoming requests after the deadline). */
  requestedBy: string | null;
  /** «просили раньше»: the wish is before the deadline. */
  requestedEarlier: boolean;
  delayUntil: string | null;
  overdue: { status: OverdueStatus; workingDaysLeft: number } | null;
  updatedAt: string;
}

export async function listRequests(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ items: RequestListItem[]; total: number; totalCapped: boolean }> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = parseInput(ListRequestsInput, input);
  let q = ctx.db.selectFrom('requests').where('direction', '=', p.direction).where(requestScope(o, p.bodyId));
  if (p.states?.length) q = q.where('state', 'in', p.states as string[]);
  if (p.query) {
    const cond = blindSearch(ctx, p.query);
    if (!cond) return { items: [], total: 0, totalCapped: false };
    q = q.where(cond);
  }
  // Counting stops at TOTAL_CAP: a list shows "more than 10 000", not a full scan.
  const counted = await ctx.db
    .selectFrom(
      q
        .select('id')
        .limit(TOTAL_CAP + 1)
        .as('c'),
    )
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  const rows = await q
    .select([
      'id',
      'number',
      'direction',
      'state',
      'body_id',
      'counterpart_party',
      'counterpart_body',
      'confidential',
      'received_on',
      'deadline',
      'shorter_term',
      'delay_until',
      'updated_at',
    ])
    // Incoming: by the legal deadline (R12.a), then by the date asked for (R12.b).
    .orderBy(
      p.direction === 'incoming' ? sql`deadline asc nulls last, shorter_term asc nulls last` : sql`updated_at desc`,
    )
    .orderBy('id')
    .limit(p.limit ?? 50)
    .offset(p.offset ?? 0)
    .execute();
  const calendar = p.direction === 'incoming' ? await ctx.calendar(ctx.party) : null;
  const today = await bodyDays(
    ctx,
    rows.map((r) => r.body_id),
  );
  return {
    total: Math.min(total, TOTAL_CAP),
    totalCapped: total > TOTAL_CAP,
    items: rows.map((r) => ({
      id: r.id,
      number: r.number,
      direction: r.direction,
      state: r.state as RequestState,
      bodyId: r.body_id,
      counterpartParty: r.counterpart_party,
      counterpartBody: r.counterpart_body,
      confidential: r.confidential,
      receivedOn: r.received_on,
      deadline: r.deadline,
      requestedBy: r.shorter_term,
      requestedEarlier: requestedEarlier(r.shorter_term, r.deadline),
      delayUntil: r.delay_until,
      overdue:
        calendar && r.deadline && isOpen(r.state as RequestState)
          ? classifyOverdue(calendar, {
              deadline: r.deadline,
              today: today.get(r.body_id)!,
              delayNotified: r.delay_until !== null,
            })
          : null,
      updatedAt: r.updated_at.toISOString(),
    })),
  };
}

/** Today of each listed body (partyDay in its time zone): one small query for the whole page. */
async function bodyDays(ctx: AppContext, bodyIds: readonly string[]): Promise<Map<string, IsoDate>> {
  const ids = [...new Set(bodyIds)];
  const zones = ids.length
    ? await ctx.db.selectFrom('bodies').select(['id', 'time_zone']).where('id', 'in', ids).execute()
    : [];
  const zoneOf = new Map(zones.map((b) => [b.id, b.time_zone]));
  const now = ctx.clock.now();
  return new Map(ids.map((id) => [id, partyDay(now, ctx.party, zoneOf.get(id))]));
}
