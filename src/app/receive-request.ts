// The requested node stores an incoming request (called by the federation
// inbox once the message is verified): encrypted at rest (R9.4), its deadline
// computed on this Party's calendar from the local day of receipt (R12.a/b),
// only if the Agreement binds both Parties that day (R-pair). Idempotent by
// message id: a duplicate returns the stored request and changes nothing.
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { computeDeadline } from '../domain/calendar.js';
import { localDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { PARTIES, isSignatory } from '../domain/parties.js';
import { BodyRefSchema, RequestSchema, itemProvisions, type Request } from '../domain/request.js';
import { documentTerms, numberTerm, personTerms } from '../domain/search.js';
import { canSend } from '../domain/treaty.js';
import { appendAudit } from './audit.js';
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
}

export async function receiveRequest(ctx: AppContext, actor: Actor, input: unknown): Promise<Received> {
  const p = parseInput(ReceiveRequestInput, input);
  const doc: Request = p.document;
  const from = p.fromBody as { id: string; party: string; name: string };
  const receivedAt = new Date(p.receivedAt);
  return ctx.db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('requests')
      .select(['id', 'received_on', 'deadline', 'deadline_basis'])
      .where('message_id', '=', p.messageId)
      .executeTakeFirst();
    if (existing)
      return {
        id: existing.id,
        duplicate: true,
        receivedOn: existing.received_on!,
        deadline: existing.deadline!,
        basis: existing.deadline_basis!,
      };
    const body = await tx.selectFrom('bodies').selectAll().where('id', '=', p.toBodyId).executeTakeFirst();
    if (!body || body.party !== ctx.party)
      throw new EixError(
        'body.not_found',
        { field: 'toBodyId', id: p.toBodyId },
        `Орган ${p.toBodyId} не обслуживается этим узлом`,
      );
    const timeZone = body.time_zone ?? (isSignatory(ctx.party) ? PARTIES[ctx.party].timeZone : 'UTC');
    const receivedOn = localDate(receivedAt, timeZone);
    const pair = canSend(ctx.treaty(), { from: from.party, to: ctx.party, date: receivedOn });
    if (!pair.allowed) throw new EixError('registry.pair', { field: 'fromBody.party', code: pair.code }, pair.reason);
    const d = computeDeadline(await ctx.calendar(ctx.party), {
      receivedAt,
      timeZone,
      ...(doc.shorterTerm ? { shorter: doc.shorterTerm } : {}),
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
    return { id, duplicate: false, receivedOn, deadline: d.deadline, basis: d.basis };
  });
}
