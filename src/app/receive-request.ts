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
import type { Insertable } from 'kysely';
import type { RequestEventsTable, RequestItemsTable, RequestsTable } from '../adapters/db/schema.js';
import type { Calendar } from '../domain/calendar.js';
import { lookupsOf } from '../domain/registry-lookups.js';
import type { Tx } from '../ports/store.js';
import { requirePair, servedBody, withTransaction } from './request-record.js';
import { appendAuditMany, appendLast, type AuditFields } from './audit.js';
import { recordEvents, type NewEvent } from './record-event.js';
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

type Parsed = ReturnType<typeof parseReceived>;
const parseReceived = (input: unknown) => parseInput(ReceiveRequestInput, input);

/** A received request ready to store: its rows, built and checked before anything is written. */
interface Prepared {
  readonly received: Received;
  readonly row: Insertable<RequestsTable>;
  readonly items: Insertable<RequestItemsTable>[];
  readonly history: Insertable<RequestEventsTable>;
  readonly audit: AuditFields;
  readonly notice: NewEvent;
  /** A draft answer is to be looked up in the domestic registries (issue 17.2). */
  readonly draft: boolean;
}

/**
 * Stores a received request. Called by receiveMessage inside its transaction
 * (`tx`), or on its own (tests, tools). Before anything is stored: the sender
 * must be a designated body of a Party bound with this one on the local day of
 * receipt and the body the document names as requesting and holding the
 * proceeding (R-pair, R10.b, R18); the recipient a designated body served here.
 */
export async function receiveRequest(ctx: AppContext, actor: Actor, input: unknown, outer?: Tx): Promise<Received> {
  const p = parseReceived(input);
  return withTransaction(ctx, outer, async (tx) => {
    const existing = await alreadyReceived(tx, [p.messageId]);
    const before = existing.get(p.messageId);
    if (before) return before;
    const prepared = prepare(
      ctx,
      p,
      await servedBody(tx, ctx, p.toBodyId, new Date(p.receivedAt)),
      await ctx.calendar(ctx.party),
    );
    await store(tx, ctx, actor, [prepared]);
    return prepared.received;
  });
}

/**
 * Many received requests at once, in the caller's transaction (the requests of a bundle, docs/MESSAGES.md §2.1):
 * each checked alone exactly as receiveRequest checks it (its outcome, or the EixError that refuses it), the
 * accepted ones stored together in a few multi-row statements instead of several statements each.
 */
export async function receiveRequests(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  inputs: readonly unknown[],
): Promise<(Received | EixError)[]> {
  const parsed = inputs.map((input) => {
    try {
      return parseReceived(input);
    } catch (e) {
      return asEixError(e);
    }
  });
  const existing = await alreadyReceived(
    tx,
    parsed.flatMap((p) => (p instanceof EixError ? [] : [p.messageId])),
  );
  const calendar = await ctx.calendar(ctx.party);
  const served = new Map<string, Awaited<ReturnType<typeof servedBody>> | EixError>();
  const out: (Received | EixError)[] = [];
  const prepared: Prepared[] = [];
  for (const p of parsed) {
    if (p instanceof EixError) {
      out.push(p);
      continue;
    }
    const before = existing.get(p.messageId);
    if (before) {
      out.push(before);
      continue;
    }
    try {
      const key = `${p.toBodyId}@${p.receivedAt}`;
      let body = served.get(key);
      if (!body) {
        body = await servedBody(tx, ctx, p.toBodyId, new Date(p.receivedAt)).catch(asEixError);
        served.set(key, body);
      }
      if (body instanceof EixError) throw body;
      const one = prepare(ctx, p, body, calendar);
      prepared.push(one);
      out.push(one.received);
    } catch (e) {
      out.push(asEixError(e));
    }
  }
  await store(tx, ctx, actor, prepared);
  return out;
}

const asEixError = (e: unknown): EixError => {
  if (e instanceof EixError) return e;
  throw e;
};

/** Requests already stored under these message ids (a duplicate returns the stored request and changes nothing). */
async function alreadyReceived(tx: Tx, messageIds: readonly string[]): Promise<Map<string, Received>> {
  if (messageIds.length === 0) return new Map();
  const rows = await tx
    .selectFrom('requests')
    .select(['id', 'message_id', 'received_on', 'deadline', 'deadline_basis', 'shorter_term'])
    .where('message_id', 'in', messageIds)
    .execute();
  return new Map(
    rows.map((r) => [
      r.message_id!,
      {
        id: r.id,
        duplicate: true,
        receivedOn: r.received_on!,
        deadline: r.deadline!,
        basis: r.deadline_basis!,
        requestedBy: r.shorter_term,
      },
    ]),
  );
}

/** The checks (R-pair, R10.b, R18, R11 on receipt) and the rows of one new request; throws the refusal. */
function prepare(
  ctx: AppContext,
  p: Parsed,
  served: Awaited<ReturnType<typeof servedBody>>,
  calendar: Calendar,
): Prepared {
  const doc: Request = p.document;
  const from = p.fromBody as { id: string; party: string; name: string };
  const receivedAt = new Date(p.receivedAt);
  const { body, timeZone, localDay: receivedOn } = served;
  requirePair(ctx, from.party, receivedOn);
  requireSender(ctx, doc, from, receivedOn);
  requireRecipient(ctx, doc, body.id, receivedOn);
  const check = receiptCheck(ctx, doc, from, receivedOn);
  const d = computeDeadline(calendar, { receivedAt, timeZone, requestedBy: doc.shorterTerm ?? null });
  const terms = [
    ...personTerms(doc.debtor),
    ...documentTerms([doc.executiveDocument]),
    ...(doc.number ? [numberTerm(doc.number)] : []),
  ];
  const id = randomUUID();
  return {
    received: { id, duplicate: false, receivedOn, deadline: d.deadline, basis: d.basis, requestedBy: d.requestedBy },
    row: {
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
    },
    items: (doc.items ?? []).map((item, i) => ({
      request_id: id,
      item_no: i + 1,
      kind: item.kind,
      provisions: itemProvisions(item),
    })),
    history: {
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
    },
    audit: {
      action: 'request.receipt',
      bodyId: body.id,
      requestId: id,
      subject: doc.number ?? null,
      details: { messageId: p.messageId, from: from.id },
    },
    // Issue 17.2: the registries are asked after the receipt, by a job (draft-answer-from-registries.ts),
    // only for requests with an item a connected registry can answer.
    draft:
      !!ctx.registries &&
      (doc.items ?? []).some((item) => lookupsOf(item).some((l) => ctx.registries!.forKind(l.kind))),
    // Issue 14.7: the body's officers are told, once (a duplicate never gets here).
    notice: {
      kind: 'request_received',
      requestId: id,
      bodyId: body.id,
      at: receivedAt,
      data: { messageId: p.messageId },
    },
  };
}

/** Writes prepared requests: each table in one multi-row statement (bounded, so a large bundle stays within limits). */
async function store(tx: Tx, ctx: AppContext, actor: Actor, prepared: readonly Prepared[]): Promise<void> {
  if (prepared.length === 0) return;
  for (const part of slices(prepared, STORE_ROWS)) {
    await tx
      .insertInto('requests')
      .values(part.map((x) => x.row))
      .execute();
    const items = part.flatMap((x) => x.items);
    if (items.length > 0) await tx.insertInto('request_items').values(items).execute();
    await tx
      .insertInto('request_events')
      .values(part.map((x) => x.history))
      .execute();
  }
  const drafts = prepared.filter((x) => x.draft);
  if (drafts.length > 0)
    await tx
      .insertInto('answer_drafts')
      .values(
        drafts.map((x) => ({ request_id: x.received.id, created_at: ctx.clock.now(), updated_at: ctx.clock.now() })),
      )
      .execute();
  // Last in the transaction (a bundle's puts them off until its receipt is stored: audit.ts).
  await appendLast(tx, async () => {
    await appendAuditMany(
      tx,
      ctx,
      actor,
      prepared.map((x) => x.audit),
    );
    await recordEvents(
      tx,
      ctx,
      prepared.map((x) => x.notice),
    );
  });
}

/** Rows per multi-row INSERT (PostgreSQL's protocol allows 65,535 parameters; a request row has 25). */
const STORE_ROWS = 500;

function slices<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
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
