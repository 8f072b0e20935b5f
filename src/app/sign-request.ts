// R11, R11.3, R-pair: the officer signs a complete request and it is queued
// for sending in the same transaction (outbox). A request with any problem is
// refused with every problem listed; the Agreement must bind both Parties today
// (the signing body's local day, which is also the request's date).
import Type from 'typebox';
import { yearOf, type IsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import type { Request } from '../domain/request.js';
import { numberTerm } from '../domain/search.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { checkDocument } from './draft-request.js';
import { requireSeal } from './get-body-seal.js';
import type { Tx } from '../ports/store.js';
import { parseInput } from './input.js';
import { applyEvent, bodyToday, enqueue, loadRequest } from './request-record.js';

export const SignRequestInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export async function signRequest(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; number: string; state: string; messageId: string; warnings: readonly unknown[] }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(SignRequestInput, input);
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (row.direction !== 'outgoing')
      throw new EixError('workflow.actor', { requestId: row.id }, 'Подписывает запрос запрашивающий орган');
    if (p.version !== undefined && p.version !== row.version)
      throw new EixError('request.conflict', { requestId: row.id, version: row.version });
    if (row.state !== 'draft')
      throw new EixError(
        'workflow.transition',
        { requestId: row.id, state: row.state },
        'Подписать можно только проект запроса',
      );
    // Issue 15.1: no seal certificate, no signature — refused before a number is taken or anything is queued.
    await requireSeal(ctx, row.body_id, tx);
    const doc = row.document as Request;
    // The request's date, R-pair and R12.b are judged on the signing body's local day.
    const today = await bodyToday(tx, ctx, row.body_id);
    const check = checkDocument(ctx, o, doc, today);
    if (!check.ok) {
      const first = check.errors[0]!;
      throw new EixError(
        'request.invalid',
        { field: first.path, problems: check.errors, warnings: check.warnings },
        `Запрос заполнен с ошибками (${check.errors.length}): ${first.message}`,
      );
    }
    const to = doc.requestedBody?.party ?? '';
    if (ctx.route && !ctx.route(to)) {
      throw new EixError(
        'registry.node',
        { field: 'requestedBody.party', party: to },
        `В реестре доверия нет узла Стороны ${to}: запрос не может быть направлен`,
      );
    }
    const [number] = await nextNumbers(tx, row.body_id, yearOf(today), 1);
    const signed = signedDocument(doc, number!, today);
    const messageId = await enqueue(tx, ctx, row, 'request', { requestId: row.id });
    const { state } = await applyEvent(tx, ctx, o, row, 'sign', signEventData(o, number!), {
      number,
      message_id: messageId,
      document: JSON.stringify(signed),
    });
    await tx
      .updateTable('requests')
      .set((eb) => ({
        search_keys: eb.fn<string[]>('array_append', [
          eb.ref('search_keys'),
          eb.val(ctx.sealer.blindIndex(numberTerm(number!))),
        ]),
      }))
      .where('id', '=', row.id)
      .execute();
    return { id: row.id, number: number!, state, messageId, warnings: check.warnings };
  });
}

/** The document as signed: its number and the day of signing (R11.3: the request's date). */
export function signedDocument(doc: Request, number: string, today: IsoDate): Request {
  return { ...doc, number, date: today };
}

/** The history entry of a signature: the number and who signed (the batch adds where the row came from). */
export function signEventData(
  o: Officer,
  number: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { number, signedBy: { officerId: o.officerId, fullName: o.fullName, position: o.position }, ...extra };
}

/**
 * The next `count` outgoing numbers of a body in a year, `<body>/<year>/<n>`: gap-free inside the
 * transaction (the counter row stays locked until it commits). The batch takes a chunk's numbers at once.
 */
export async function nextNumbers(tx: Tx, bodyId: string, year: number, count: number): Promise<string[]> {
  const row = await tx
    .insertInto('request_counters')
    .values({ body_id: bodyId, year, last: count })
    .onConflict((oc) =>
      oc.columns(['body_id', 'year']).doUpdateSet((eb) => ({ last: eb('request_counters.last', '+', count) })),
    )
    .returning('last')
    .executeTakeFirstOrThrow();
  const first = row.last - count + 1;
  return Array.from({ length: count }, (_, i) => `${bodyId}/${year}/${String(first + i).padStart(6, '0')}`);
}
