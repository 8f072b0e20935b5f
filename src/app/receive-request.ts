// The requested node stores an incoming request (called by the federation
// inbox once the message is verified): encrypted at rest (R9.4), its deadline
// computed on this Party's calendar from the local day of receipt (R12.a), the
// shorter term asked for kept beside it as «просят исполнить до» (R12.b),
// only if the Agreement binds both Parties that day (R-pair). Idempotent by
// message id: a duplicate returns the stored request and changes nothing.
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { computeDeadline } from '../domain/calendar.js';
import { EixError } from '../domain/errors.js';
import { BodyRefSchema, RequestSchema, itemProvisions, type Request } from '../domain/request.js';
import { documentTerms, numberTerm, personTerms } from '../domain/search.js';
import { isDesignated } from '../domain/treaty.js';
import type { IsoDate } from '../domain/dates.js';
import type { ReceiptCheck } from '../domain/receiving.js';
import { validateRequest } from '../domain/request-validation.js';
import { lookupsOf } from '../domain/registry-lookups.js';
import type { Tx } from '../ports/store.js';
import { requirePair, servedBody, withTransaction } from './request-record.js';
import { appendAudit } from './audit.js';
import { recordEvent } from './record-event.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';

export const ReceiveRequestInput = Type.Object(
  {
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
    fromBody: Type.Required(BodyRefSchema),
    toBodyId: Type.String({ minLength: 1 }),
    receivedAt: Type.String({ format: 'date-time' }),
    document: RequestSchema,
  },
  { additionalProperties: false },
);

export interface Received {
  readonly id: string;
  readonly duplicate: boolean;
  readonly receivedOn: string;
  readonly deadline: string;
  readonly basis: string;
  /** R12.b: the date the requesting body asks for (never the deadline), or null. */
  readonly requestedBy: string | null;
}

/**
 * Stores a received request. Called by receiveMessage inside its transaction
 * (`tx`), or on its own (tests, tools). Before anything is stored: the sender
 * must be a designated body of a Party bound with this one on the local day of
 * receipt and the body the document names as requesting and holding the
 * proceeding (R-pair, R10.b, R18); the recipient a designated body served here.
 */
export async function receiveRequest(ctx: AppContext, actor: Actor, input: unknown, outer?: Tx): Promise<Received> {
  const p = parseInput(ReceiveRequestInput, input);
  const doc: Request = p.document;
  const from = p.fromBody as { id: string; party: string; name: string };
  const receivedAt = new Date(p.receivedAt);
  return withTransaction(ctx, outer, async (tx) => {
    const existing = await tx
      .selectFrom('requests')
      .select(['id', 'received_on', 'deadline', 'deadline_basis', 'shorter_term'])
      .where('message_id', '=', p.messageId)
      .executeTakeFirst();
    if (existing)
      return {
        id: existing.id,
        duplicate: true,
        receivedOn: existing.received_on!,
        deadline: existing.deadline!,
        basis: existing.deadline_basis!,
        requestedBy: existing.shorter_term,
      };
    const { body, timeZone, localDay: receivedOn } = await servedBody(tx, ctx, p.toBodyId, receivedAt);
    requirePair(ctx, from.party, receivedOn);
    requireSender(ctx, doc, from, receivedOn);
    requireRecipient(ctx, doc, body.id, receivedOn);
    const check = receiptCheck(ctx, doc, from, receivedOn);
    const d = computeDeadline(await ctx.calendar(ctx.party), {
      receivedAt,
      timeZone,
      requestedBy: doc.shorterTerm ?? null,
    });
    const terms = [
      ...personTerms(doc.debtor),
      ...documentTerms([doc.executiveDocument]),
      ...(doc.number ? [numberTerm(doc.number)] : []),
    ];
    const id = randomUUID();
    await tx
      .insertInto('requests')
      .values({
        id,
        direction: 'incoming',
        number: doc.number ?? p.messageId,
        body_id: body.id,
        proceeding_id: null,
        counterpart_party: from.party,
        counterpart_body: JSON.stringify(from),
        state: 'received',
        document: null,
        document_enc: ctx.sealer.encryptJson(doc, `request:${id}`),
        key_id: ctx.sealer.activeKeyId,
        confidential: doc.confidential ?? false,
        shorter_term: doc.shorterTerm ?? null,
        received_at: receivedAt,
        received_on: receivedOn,
        deadline: d.deadline,
        deadline_basis: d.basis,
        delay_until: null,
        message_id: p.messageId,
        addressed_to: body.id,
        receipt_check: JSON.stringify(check),
        search_keys: terms.map((t) => ctx.sealer.blindIndex(t)),
        created_by: null,
      })
      .execute();
    const items = doc.items ?? [];
    if (items.length > 0) {
      await tx
        .insertInto('request_items')
        .values(
          items.map((item, i) => ({
            request_id: id,
            item_no: i + 1,
            kind: item.kind,
            provisions: itemProvisions(item),
          })),
        )
        .execute();
    }
    await tx
      .insertInto('request_events')
      .values({
        request_id: id,
        event: 'receipt',
        side: 'requested',
        officer_id: null,
        at: receivedAt,
        data: JSON.stringify({
          messageId: p.messageId,
          receivedOn,
          deadline: d.deadline,
          basis: d.basis,
          ...(d.requestedBy ? { requestedBy: d.requestedBy } : {}),
          estimated: d.estimated,
        }),
      })
      .execute();
    await appendAudit(tx, ctx, actor, {
      action: 'request.receipt',
      bodyId: body.id,
      requestId: id,
      subject: doc.number ?? null,
      details: { messageId: p.messageId, from: from.id },
    });
    // Issue 17.2: the registries are asked after the receipt, by a job (draft-answer-from-registries.ts),
    // only for requests with an item a connected registry can answer.
    if (ctx.registries && items.some((item) => lookupsOf(item).some((l) => ctx.registries!.forKind(l.kind)))) {
      await tx
        .insertInto('answer_drafts')
        .values({ request_id: id, created_at: ctx.clock.now(), updated_at: ctx.clock.now() })
        .execute();
    }
    // Issue 14.7: the body's officers are told, once (a duplicate returned above).
    await recordEvent(tx, ctx, {
      kind: 'request_received',
      requestId: id,
      bodyId: body.id,
      at: receivedAt,
      data: { messageId: p.messageId },
    });
    return { id, duplicate: false, receivedOn, deadline: d.deadline, basis: d.basis, requestedBy: d.requestedBy };
  });
}

/** R10.b, R18: the signing body is a designated body of its Party and the body that asks and holds the proceeding. */
function requireSender(ctx: AppContext, doc: Request, from: { id: string; party: string }, day: IsoDate): void {
  const refuse = (field: string, why: string): never => {
    throw new EixError('message.sender', { field, from }, `Запрос отклонён: ${why}`);
  };
  if (!isDesignated(ctx.treaty(), from.party, from.id, day)) {
    refuse(
      'envelope.from.body',
      `орган ${from.id} не назначен Стороной ${from.party} для обмена по Соглашению (статья 18)`,
    );
  }
  if (doc.requestingBody?.id !== from.id || doc.requestingBody.party !== from.party) {
    refuse(
      'request.requestingBody.id',
      `запрос подписан органом ${from.id}, а запрашивающим органом в нём указан другой`,
    );
  }
  if (doc.proceeding?.bodyId !== undefined && doc.proceeding.bodyId !== from.id) {
    refuse(
      'request.proceeding.bodyId',
      'исполнительное производство находится не в органе, подписавшем запрос (статья 10)',
    );
  }
}

/** R18: a request is addressed to a designated body of this Party, the one the document names. */
function requireRecipient(ctx: AppContext, doc: Request, bodyId: string, day: IsoDate): void {
  if (!isDesignated(ctx.treaty(), ctx.party, bodyId, day)) {
    throw new EixError(
      'message.recipient',
      { field: 'envelope.to.body', id: bodyId },
      `Орган ${bodyId} не назначен для обмена по Соглашению (статья 18)`,
    );
  }
  if (doc.requestedBody !== undefined && (doc.requestedBody.id !== bodyId || doc.requestedBody.party !== ctx.party)) {
    throw new EixError(
      'message.recipient',
      { field: 'request.requestedBody.id', id: doc.requestedBody.id },
      `Запрос адресован органу ${doc.requestedBody.id}, а доставлен органу ${bodyId}`,
    );
  }
}

/**
 * R11, R13.d, R-KZ: the same check as at drafting, on the day of receipt. The
 * request is received all the same (its term runs, Article 12); what is
 * missing is shown to the requested officer, who may ask for it (Article 14).
 */
function receiptCheck(ctx: AppContext, doc: Request, from: { id: string }, day: IsoDate): ReceiptCheck {
  const r = validateRequest(doc, { today: day, treaty: ctx.treaty(), officerBodyId: from.id });
  return {
    // Who sent it and whether the Parties are bound was decided above (a refusal, not a list item).
    problems: r.errors.filter((e) => !e.code.startsWith('R-pair') && !e.code.startsWith('R10.b.officer')),
    notices: r.warnings.filter((w) => w.code === 'R13.d' || w.code === 'R-KZ'),
  };
}
