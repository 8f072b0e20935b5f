// Issue 14.7: the officer's notices — unread first, newest first within each
// part — with a Russian text built from the event (a request number, the other
// Party, what happened; never the debtor) and the request page as the link.
import { sql } from 'kysely';
import Type from 'typebox';
import { EVENT_KIND_LABELS_RU, noticeText, type AnyEvent, type EventKind } from '../domain/events.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { countUnreadNotices, noticesOf, unreadBy, type UnreadNotices } from './count-unread-notices.js';
import { parseInput } from './input.js';

export const ListNoticesInput = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
  { additionalProperties: false },
);

export interface Notice {
  /** The event's id (its cursor in the log): what "mark read" names. */
  readonly id: string;
  readonly kind: EventKind;
  /** A short Russian title of the kind («Новый запрос», «Срок истёк» …). */
  readonly title: string;
  readonly text: string;
  readonly requestId: string;
  /** The request page. */
  readonly href: string;
  readonly occurredAt: Date;
  readonly read: boolean;
}

export interface NoticeList {
  readonly notices: readonly Notice[];
  readonly badge: UnreadNotices;
  /** The newest event shown: "mark all as read" up to here (a notice arriving meanwhile stays unread). */
  readonly upTo: string | null;
}

export async function listNotices(ctx: AppContext, actor: Actor, input: unknown = {}): Promise<NoticeList> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = parseInput(ListNoticesInput, input, { limit: 'количество' });
  const limit = p.limit ?? 50;
  const base = () =>
    noticesOf(ctx.db.selectFrom('events'), o)
      .select([
        'events.id',
        'events.kind',
        'events.data',
        'events.occurred_at',
        'events.request_id',
        'requests.number',
        'requests.counterpart_party',
      ])
      .orderBy('events.id', 'desc');
  const unread = await base().where(unreadBy(o.officerId)).limit(limit).execute();
  const read =
    unread.length < limit
      ? await base()
          .where(sql<boolean>`not (${unreadBy(o.officerId)})`)
          .limit(limit - unread.length)
          .execute()
      : [];
  const notice =
    (isRead: boolean) =>
    (r: (typeof unread)[number]): Notice => ({
      id: String(r.id),
      kind: r.kind,
      title: EVENT_KIND_LABELS_RU[r.kind],
      text: noticeText({ kind: r.kind, data: r.data } as AnyEvent, {
        number: r.number,
        counterpartParty: r.counterpart_party,
      }),
      requestId: r.request_id!,
      href: `/requests/${r.request_id!}`,
      occurredAt: new Date(r.occurred_at),
      read: isRead,
    });
  const notices = [...unread.map(notice(false)), ...read.map(notice(true))];
  const newest = notices.reduce<bigint | null>((m, n) => (m === null || BigInt(n.id) > m ? BigInt(n.id) : m), null);
  return { notices, badge: await countUnreadNotices(ctx, o), upTo: newest === null ? null : String(newest) };
}
