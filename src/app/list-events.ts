// Issue 17 item 1: the event feed of national systems — `GET /api/v1/events`.
// Every event of the log (migration 014) the account may see, in id order,
// after a cursor; long-polling waits up to 30 s for the first one. The cursor is
// the event id: recordEvent takes the audit log's transaction lock, so ids
// become visible in order and "after N" never skips an event committed later.
// The client keeps `next`; the account may also store it on the node
// (`PUT /api/v1/events/cursor`) and omit `after` to resume from there after it
// lost its own state. Delivery is at least once: a consumer that fails between
// processing and storing the cursor sees events again; each has its id.
//
// Who sees what (events carry no personal data, R9.1): an officer with a
// casework role — his notices' scope (noticeScope: his body, a `central`
// officer every body, R16 for confidential requests); a technical account
// (issue 13: no casework role; its token may be minted by an administrator) —
// the events of its body, or of every body of the node when its body is the
// central body (R18); the node's console — all.
import { setTimeout as sleep } from 'node:timers/promises';
import Type from 'typebox';
import type { EventKind } from '../domain/events.js';
import { EixError } from '../domain/errors.js';
import { CASEWORK_ROLES, noticeScope } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';

const Cursor = Type.String({ pattern: '^(0|[1-9][0-9]{0,17})$' });

export const ListEventsInput = Type.Object(
  {
    /** The last event id the consumer has processed; the stored cursor (or 0) when absent. */
    after: Type.Optional(Cursor),
    /** At most this many events (100 when absent). */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Seconds to wait for a first event when there is none (0 when absent). */
    wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 })),
  },
  { additionalProperties: false },
);

export const SetEventCursorInput = Type.Object({ after: Cursor }, { additionalProperties: false });

export interface FeedEvent {
  readonly id: string;
  readonly kind: EventKind;
  /** When it happened (ISO 8601, UTC). */
  readonly at: string;
  readonly requestId: string | null;
  readonly bodyId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface EventPage {
  readonly events: readonly FeedEvent[];
  /** The cursor for the next call: the last event's id, or `after` when there was none. */
  readonly next: string;
}

/** How often a long poll looks for a new event (any process of the node may record it). */
const POLL_MS = 200;

type Scope =
  { kind: 'all' } | { kind: 'bodies'; body: string } | { kind: 'notices'; officer: Actor & { kind: 'officer' } };

async function scopeOf(ctx: AppContext, actor: Actor): Promise<Scope> {
  if (actor.kind === 'system') return { kind: 'all' };
  if (CASEWORK_ROLES.some((r) => actor.roles.includes(r))) return { kind: 'notices', officer: actor };
  // A technical account: its body's events; the central body's account sees every body of the node.
  const body = await ctx.db.selectFrom('bodies').select('kind').where('id', '=', actor.bodyId).executeTakeFirst();
  return body?.kind === 'central' ? { kind: 'all' } : { kind: 'bodies', body: actor.bodyId };
}

async function page(ctx: AppContext, scope: Scope, after: string, limit: number): Promise<FeedEvent[]> {
  const cols = [
    'events.id',
    'events.kind',
    'events.occurred_at',
    'events.request_id',
    'events.body_id',
    'events.data',
  ] as const;
  const base = ctx.db.selectFrom('events');
  const q =
    scope.kind === 'notices'
      ? base.innerJoin('requests', 'requests.id', 'events.request_id').where(noticeScope(scope.officer)).select(cols)
      : scope.kind === 'bodies'
        ? base.where('events.body_id', '=', scope.body).select(cols)
        : base.select(cols);
  const rows = await q.where('events.id', '>', after).orderBy('events.id').limit(limit).execute();
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    at: new Date(r.occurred_at).toISOString(),
    requestId: r.request_id,
    bodyId: r.body_id,
    data: r.data,
  }));
}

/** The account's stored cursor, '0' when none. */
export async function getEventCursor(ctx: AppContext, actor: Actor): Promise<{ after: string }> {
  if (actor.kind !== 'officer') return { after: '0' };
  const row = await ctx.db
    .selectFrom('event_cursors')
    .select('after_id')
    .where('officer_id', '=', actor.officerId)
    .executeTakeFirst();
  return { after: row ? String(row.after_id) : '0' };
}

/** Stores the account's cursor (what it processed); refused beyond the newest event (it would skip events). */
export async function setEventCursor(ctx: AppContext, actor: Actor, input: unknown): Promise<{ after: string }> {
  if (actor.kind !== 'officer') throw new EixError('access.denied');
  const { after } = parseInput(SetEventCursorInput, input, { after: 'последнее обработанное событие' });
  const max = await ctx.db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  if (BigInt(after) > BigInt(max?.max ?? 0))
    throw new EixError(
      'input.invalid',
      { field: 'after' },
      'after: такого события ещё нет; укажите номер последнего полученного события',
    );
  await ctx.db
    .insertInto('event_cursors')
    .values({ officer_id: actor.officerId, after_id: after, updated_at: ctx.clock.now() })
    .onConflict((oc) => oc.column('officer_id').doUpdateSet({ after_id: after, updated_at: ctx.clock.now() }))
    .execute();
  return { after };
}

export async function listEvents(
  ctx: AppContext,
  actor: Actor,
  input: unknown = {},
  signal?: AbortSignal,
): Promise<EventPage> {
  const p = parseInput(ListEventsInput, input, {
    after: 'последнее обработанное событие',
    limit: 'количество (от 1 до 1000)',
    wait: 'ожидание в секундах (от 0 до 30)',
  });
  const after = p.after ?? (await getEventCursor(ctx, actor)).after;
  const limit = p.limit ?? 100;
  const scope = await scopeOf(ctx, actor);
  const until = performance.now() + (p.wait ?? 0) * 1000;
  for (;;) {
    const events = await page(ctx, scope, after, limit);
    const left = until - performance.now();
    if (events.length > 0 || left <= 0 || signal?.aborted)
      return { events, next: events.length > 0 ? events[events.length - 1]!.id : after };
    await sleep(Math.min(POLL_MS, left), undefined, { signal }).catch(() => undefined);
  }
}
