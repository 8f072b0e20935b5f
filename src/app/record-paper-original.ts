// R10.a: the paper original follows the electronic request by post; the
// officer records its dispatch (date, means, tracking number).
import Type from 'typebox';
import { compareDates } from '../domain/dates.js';
import { partyDay } from '../domain/parties.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { loadRequest } from './request-record.js';

export const PAPER_MEANS = ['post', 'courier', 'diplomatic', 'hand'] as const;

export const RecordPaperOriginalInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    dispatchedOn: Type.String({ format: 'date' }),
    means: Type.Enum(PAPER_MEANS),
    tracking: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export async function recordPaperOriginal(ctx: AppContext, actor: Actor, input: unknown): Promise<{ id: string }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(RecordPaperOriginalInput, input, {
    dispatchedOn: 'дата отправки оригинала',
    means: 'способ отправки',
    tracking: 'почтовый идентификатор',
  });
  if (compareDates(p.dispatchedOn, partyDay(ctx.clock.now(), ctx.party)) > 0) {
    throw new EixError('input.invalid', { field: 'dispatchedOn' }, 'Дата отправки оригинала не может быть в будущем');
  }
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (row.direction !== 'outgoing' || ['draft', 'signed'].includes(row.state)) {
      throw new EixError(
        'workflow.transition',
        { requestId: row.id, state: row.state },
        'Оригинал на бумаге отправляется после направления запроса',
      );
    }
    const values = {
      dispatched_on: p.dispatchedOn,
      means: p.means,
      tracking: p.tracking ?? null,
      recorded_by: o.officerId,
      recorded_at: ctx.clock.now(),
    };
    await tx
      .insertInto('paper_originals')
      .values({ request_id: row.id, ...values })
      .onConflict((oc) => oc.column('request_id').doUpdateSet(values))
      .execute();
    await appendAudit(tx, ctx, o, {
      action: 'request.paper_original',
      requestId: row.id,
      subject: row.number,
      details: { means: p.means },
    });
    return { id: row.id };
  });
}
