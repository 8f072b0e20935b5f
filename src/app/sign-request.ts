// R11, R11.3, R-pair: the officer signs a complete request and it is queued
// for sending in the same transaction (outbox). A request with any problem is
// refused with every problem listed; the Agreement must bind both Parties today
// (the signing body's local day, which is also the request's date).
import Type from 'typebox';
import { yearOf } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import type { Request } from '../domain/request.js';
import { numberTerm } from '../domain/search.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
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
    const number = await nextNumber(tx, row.body_id, yearOf(today));
    const signed: Request = { ...doc, number, date: today };
    const messageId = await enqueue(tx, ctx, row, 'request', { requestId: row.id });
    const { state } = await applyEvent(
      tx,
      ctx,
      o,
      row,
      'sign',
      { number, signedBy: { officerId: o.officerId, fullName: o.fullName, position: o.position } },
      {
        number,
        message_id: messageId,
        document: JSON.stringify(signed),
      },
    );
    await tx
      .updateTable('requests')
      .set((eb) => ({
        search_keys: eb.fn<string[]>('array_append', [
          eb.ref('search_keys'),
          eb.val(ctx.sealer.blindIndex(numberTerm(number))),
        ]),
      }))
      .where('id', '=', row.id)
      .execute();
    return { id: row.id, number, state, messageId, warnings: check.warnings };
  });
}

/** Outgoing numbers per body and year: `<body>/<year>/<n>`, gap-free inside a transaction. */
async function nextNumber(tx: Tx, bodyId: string, year: number): Promise<string> {
  const row = await tx
    .insertInto('request_counters')
    .values({ body_id: bodyId, year, last: 1 })
    .onConflict((oc) =>
      oc.columns(['body_id', 'year']).doUpdateSet((eb) => ({ last: eb('request_counters.last', '+', 1) })),
    )
    .returning('last')
    .executeTakeFirstOrThrow();
  return `${bodyId}/${year}/${String(row.last).padStart(6, '0')}`;
}
