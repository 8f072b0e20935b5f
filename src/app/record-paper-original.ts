// R10.a: each document sent electronically (the request, the answer, the
// refusal) is followed by its paper original by post. The side that made the
// document records its dispatch (date, means, tracking number); the other side
// records its arrival (date, means).
import Type from 'typebox';
import { compareDates } from '../domain/dates.js';
import { partyDay } from '../domain/parties.js';
import { EixError } from '../domain/errors.js';
import { PAPER_DOCUMENTS, paperDocuments, paperMovementFor, type PaperDocument } from '../domain/paper-original.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { loadRequest, sideOf } from './request-record.js';

export const PAPER_MEANS = ['post', 'courier', 'diplomatic', 'hand'] as const;

export const RecordPaperOriginalInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    /** Whose paper original: the request (default), the answer or the refusal. */
    document: Type.Optional(Type.Enum(PAPER_DOCUMENTS)),
    /** The day this side posted its own document's original… */
    dispatchedOn: Type.Optional(Type.String({ format: 'date' })),
    /** …or the day the other side's original arrived. */
    arrivedOn: Type.Optional(Type.String({ format: 'date' })),
    means: Type.Enum(PAPER_MEANS),
    tracking: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

const DOCUMENT_RU: Readonly<Record<PaperDocument, string>> = {
  request: 'запроса',
  answer: 'ответа',
  refusal: 'отказа в исполнении',
};

export async function recordPaperOriginal(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; document: PaperDocument; movement: 'dispatch' | 'arrival' }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(RecordPaperOriginalInput, input, {
    document: 'документ',
    dispatchedOn: 'дата отправки оригинала',
    arrivedOn: 'дата получения оригинала',
    means: 'способ отправки',
    tracking: 'почтовый идентификатор',
  });
  const document = p.document ?? 'request';
  const field = p.arrivedOn !== undefined ? 'arrivedOn' : 'dispatchedOn';
  const day = p.arrivedOn ?? p.dispatchedOn;
  if (day === undefined || (p.arrivedOn !== undefined && p.dispatchedOn !== undefined)) {
    throw new EixError(
      'input.invalid',
      { field: 'dispatchedOn' },
      'Укажите одну дату: отправки своего оригинала или получения оригинала другой стороны',
    );
  }
  if (compareDates(day, partyDay(ctx.clock.now(), ctx.party)) > 0) {
    throw new EixError(
      'input.invalid',
      { field },
      field === 'arrivedOn'
        ? 'Дата получения оригинала не может быть в будущем'
        : 'Дата отправки оригинала не может быть в будущем',
    );
  }
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    const history = await tx
      .selectFrom('request_events')
      .select('event')
      .where('request_id', '=', row.id)
      .orderBy('id')
      .execute();
    const side = sideOf(row);
    const movement = paperMovementFor(document, side);
    if (!paperDocuments(history).includes(document)) {
      throw new EixError(
        'paper.document',
        { field: 'document', requestId: row.id, document },
        `Оригинал ${DOCUMENT_RU[document]} на бумаге записывается после того, как документ направлен`,
      );
    }
    if ((movement === 'arrival') !== (field === 'arrivedOn')) {
      throw new EixError(
        'paper.document',
        { field, requestId: row.id, document, movement },
        movement === 'arrival'
          ? `Оригинал ${DOCUMENT_RU[document]} направляет другая сторона: укажите дату его получения`
          : `Оригинал ${DOCUMENT_RU[document]} направляет ваша сторона: укажите дату его отправки`,
      );
    }
    const values = {
      dated_on: day,
      means: p.means,
      tracking: p.tracking ?? null,
      recorded_by: o.officerId,
      recorded_at: ctx.clock.now(),
    };
    await tx
      .insertInto('paper_originals')
      .values({ request_id: row.id, document, movement, ...values })
      .onConflict((oc) => oc.columns(['request_id', 'document', 'movement']).doUpdateSet(values))
      .execute();
    await appendAudit(tx, ctx, o, {
      action: 'request.paper_original',
      requestId: row.id,
      subject: row.number,
      details: { document, movement, means: p.means },
    });
    return { id: row.id, document, movement };
  });
}
