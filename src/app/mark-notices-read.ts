// Issue 14.7: the officer marks notices as read — one notice, every notice of
// a request (opening the request page), or all up to the newest one he was
// shown ("mark all as read" moves his cursor; single reads below it are
// dropped, so the read state stays small).
import { sql } from 'kysely';
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { countUnreadNotices, noticesOf, unreadBy, type UnreadNotices } from './count-unread-notices.js';
import { parseInput } from './input.js';

const EventId = Type.String({ pattern: '^[1-9][0-9]{0,18}$' });

export const MarkNoticesReadInput = Type.Union([
  Type.Object({ eventId: EventId }, { additionalProperties: false }),
  Type.Object({ requestId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  /** `upTo`: the newest notice the officer was shown (listNotices' `upTo`); every notice so far when absent. */
  Type.Object({ all: Type.Literal(true), upTo: Type.Optional(EventId) }, { additionalProperties: false }),
]);

export async function markNoticesRead(ctx: AppContext, actor: Actor, input: unknown): Promise<UnreadNotices> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = parseInput(MarkNoticesReadInput, input, {
    eventId: 'уведомление',
    requestId: 'запрос',
    upTo: 'последнее показанное уведомление',
  });
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    if ('all' in p) {
      const upTo =
        p.upTo ??
        String(
          (
            await tx
              .selectFrom('events')
              .select((eb) => eb.fn.max('id').as('id'))
              .executeTakeFirst()
          )?.id ?? '0',
        );
      await tx
        .insertInto('notice_cursors')
        .values({ officer_id: o.officerId, read_through: upTo, updated_at: now })
        .onConflict((oc) =>
          oc.column('officer_id').doUpdateSet({
            read_through: sql`greatest(notice_cursors.read_through, excluded.read_through)`,
            updated_at: now,
          }),
        )
        .execute();
      await tx
        .deleteFrom('notice_reads')
        .where('officer_id', '=', o.officerId)
        .where(
          'event_id',
          '<=',
          tx.selectFrom('notice_cursors').select('read_through').where('officer_id', '=', o.officerId),
        )
        .execute();
      return;
    }
    // The officer's unread notices named: one event (a notice he may not see is not found), or a request's.
    let q = noticesOf(tx.selectFrom('events'), o).select('events.id').where(unreadBy(o.officerId));
    q = 'eventId' in p ? q.where('events.id', '=', p.eventId) : q.where('events.request_id', '=', p.requestId);
    const ids = (await q.execute()).map((r) => String(r.id));
    if ('eventId' in p && ids.length === 0) {
      const visible = await noticesOf(tx.selectFrom('events'), o)
        .select('events.id')
        .where('events.id', '=', p.eventId)
        .executeTakeFirst();
      if (!visible) throw new EixError('notice.not_found', { field: 'eventId', id: p.eventId });
    }
    if (ids.length)
      await tx
        .insertInto('notice_reads')
        .values(ids.map((id) => ({ officer_id: o.officerId, event_id: id, read_at: now })))
        .onConflict((oc) => oc.doNothing())
        .execute();
  });
  return countUnreadNotices(ctx, o);
}
