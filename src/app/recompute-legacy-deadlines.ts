// R12.a for requests received before the deadline model changed. Those rows
// stored min(30th working day, shorter date) as the deadline, with basis
// 'R12.b'; Article 12 obliges the requested body to the 30 working days only.
// The legal term is recomputed from the stored receipt instant on this Party's
// calendar, in the body's time zone, as on receipt; the shorter date stays in
// shorter_term («просят исполнить до»). Working days cannot be counted in SQL
// (holidays are data files), so this is a use case run at node start rather
// than a migration; it is idempotent: once done, no 'R12.b' row is left.
import { computeDeadline } from '../domain/calendar.js';
import { partyTimeZone } from '../domain/parties.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';

export async function recomputeLegacyDeadlines(ctx: AppContext, actor: Actor): Promise<{ updated: number }> {
  return ctx.db.transaction().execute(async (tx) => {
    const rows = await tx
      .selectFrom('requests')
      .innerJoin('bodies', 'bodies.id', 'requests.body_id')
      .select([
        'requests.id',
        'requests.number',
        'requests.body_id',
        'requests.received_at',
        'requests.deadline',
        'requests.shorter_term',
        'bodies.time_zone',
      ])
      .where('requests.direction', '=', 'incoming')
      .where('requests.deadline_basis', '=', 'R12.b')
      .forUpdate()
      .execute();
    if (rows.length === 0) return { updated: 0 };
    const calendar = await ctx.calendar(ctx.party);
    let updated = 0;
    for (const r of rows) {
      if (!r.received_at) continue;
      const d = computeDeadline(calendar, {
        receivedAt: r.received_at,
        timeZone: r.time_zone ?? partyTimeZone(ctx.party),
        requestedBy: r.shorter_term,
      });
      await tx
        .updateTable('requests')
        .set({ deadline: d.deadline, deadline_basis: d.basis })
        .where('id', '=', r.id)
        .execute();
      await appendAudit(tx, ctx, actor, {
        action: 'request.deadline_recomputed',
        bodyId: r.body_id,
        requestId: r.id,
        subject: r.number,
        details: { from: r.deadline, to: d.deadline, basis: d.basis, requestedBy: r.shorter_term },
      });
      updated++;
    }
    return { updated };
  });
}
