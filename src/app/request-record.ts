// Shared steps of the request use cases: load a request the actor may see
// (locked for the change), apply a workflow event with its history entry and
// audit entry, and queue a message for the other Party (outbox).
import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Selectable } from 'kysely';
import type { BodiesTable, OutboxTable, RequestEventsTable, RequestsTable } from '../adapters/db/schema.js';
import { EixError } from '../domain/errors.js';
import { nextState, type RequestState, type WorkflowEvent } from '../domain/workflow.js';
import type { Store, Tx } from '../ports/store.js';
import type { IsoDate } from '../domain/dates.js';
import type { MessageType } from '../domain/messages.js';
import { partyDay, partyTimeZone } from '../domain/parties.js';
import type { Request } from '../domain/request.js';
import { statisticsColumns } from '../domain/statistics.js';
import { canSend, declarationParties } from '../domain/treaty.js';
import { appendAudit, type AuditFields } from './audit.js';
import { canActForBody, canSeeRequest, notFound } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { requireSeal } from './get-body-seal.js';

export type RequestRow = Selectable<RequestsTable>;
export type Side = 'requesting' | 'requested';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sideOf = (row: Pick<RequestRow, 'direction'>): Side =>
  row.direction === 'outgoing' ? 'requesting' : 'requested';

/**
 * The request, locked for update when `act` is set. A request the actor may
 * not see is "not found" (no probing by id); one it may see but not act on is
 * "access denied".
 */
export async function loadRequest(tx: Tx, actor: Actor, id: string, opts: { act: boolean }): Promise<RequestRow> {
  if (!UUID.test(id)) throw notFound('request.not_found', id);
  let q = tx.selectFrom('requests').selectAll().where('id', '=', id);
  if (opts.act) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('request.not_found', id);
  if (actor.kind === 'officer') {
    // R16: a confidential request of another body is seen only from the central body.
    const kind =
      row.confidential && row.body_id !== actor.bodyId
        ? ((await tx.selectFrom('bodies').select('kind').where('id', '=', actor.bodyId).executeTakeFirst())?.kind ??
          null)
        : null;
    if (!canSeeRequest(actor, row, kind)) throw notFound('request.not_found', id);
    if (opts.act && !canActForBody(actor, row.body_id))
      throw new EixError(
        'access.denied',
        { requestId: id },
        'Действовать по запросу могут только сотрудники органа, у которого он находится',
      );
  }
  return row;
}

export interface AppliedEvent {
  readonly state: RequestState;
  readonly eventId: string;
}

/** What an event does to a request, decided before anything is written: the state machine's answer, its history row and audit entry. */
export interface PlannedEvent {
  readonly state: RequestState;
  readonly history: Insertable<RequestEventsTable>;
  readonly audit: AuditFields;
}

/** R12–R16, R24: the state machine decides on the request's history (R15, R16: the rules of order read it). */
export function planEvent(
  ctx: AppContext,
  actor: Actor,
  row: Pick<RequestRow, 'id' | 'direction' | 'state' | 'body_id' | 'number'>,
  event: WorkflowEvent,
  data: Record<string, unknown>,
  history: readonly { readonly event: string }[],
  /** The event was performed by the other Party and arrived as a message. */
  remote = false,
): PlannedEvent {
  const own = sideOf(row);
  const side: Side = remote ? (own === 'requesting' ? 'requested' : 'requesting') : own;
  // The node's own processes act for its side (the transport sends what the
  // officer signed); only the receipt belongs to the transport itself.
  const by = event === 'receipt' ? 'system' : side;
  const state = nextState(row.state as RequestState, event, by, history);
  return {
    state,
    history: {
      request_id: row.id,
      event,
      side,
      officer_id: actor.kind === 'officer' ? actor.officerId : null,
      data: JSON.stringify(data),
      at: ctx.clock.now(),
    },
    audit: {
      action: `request.${event}`,
      bodyId: row.body_id,
      requestId: row.id,
      subject: row.number,
      details: { from: row.state, to: state },
    },
  };
}

/** R12–R16, R24: the state machine decides; the history and the audit log record. */
export async function applyEvent(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  row: RequestRow,
  event: WorkflowEvent,
  data: Record<string, unknown>,
  patch: Partial<
    Pick<RequestRow, 'delay_until' | 'body_id' | 'message_id' | 'number' | 'confidential' | 'counterpart_forwarded_to'>
  > & {
    document?: string;
  } = {},
  /** The event was performed by the other Party and arrived as a message. */
  remote = false,
): Promise<AppliedEvent> {
  const history = await tx
    .selectFrom('request_events')
    .select('event')
    .where('request_id', '=', row.id)
    .orderBy('id')
    .execute();
  const plan = planEvent(ctx, actor, row, event, data, history, remote);
  // Issue 15.6: what the statistics read of this event is kept on the request (migration 020).
  const stats = await statisticsOf(tx, ctx, row, event, data);
  await tx
    .updateTable('requests')
    .set({ ...patch, ...stats, state: plan.state, version: row.version + 1, updated_at: ctx.clock.now() })
    .where('id', '=', row.id)
    .execute();
  const ev = await tx.insertInto('request_events').values(plan.history).returning('id').executeTakeFirstOrThrow();
  await appendAudit(tx, ctx, actor, plan.audit);
  return { state: plan.state, eventId: String(ev.id) };
}

/** The statistics columns an event changes; the turnaround ends on the requested Party's local day (R12.a, decision 30). */
async function statisticsOf(
  tx: Tx,
  ctx: AppContext,
  row: RequestRow,
  event: WorkflowEvent,
  data: Record<string, unknown>,
): Promise<ReturnType<typeof statisticsColumns>> {
  const needsDay = (event === 'answer_final' || event === 'refuse') && !row.responded_on;
  const zone =
    needsDay && row.direction === 'incoming'
      ? ((await tx.selectFrom('bodies').select('time_zone').where('id', '=', row.body_id).executeTakeFirst())
          ?.time_zone ?? null)
      : null;
  return statisticsColumns(event, data, row, () =>
    row.direction === 'incoming'
      ? partyDay(ctx.clock.now(), ctx.party, zone)
      : partyDay(ctx.clock.now(), row.counterpart_party),
  );
}

/**
 * Messages the node sends on its own, not on an officer's step: the purge's deletion notice (R9.6). Refusing
 * one would stop the purge; queued for a body without a seal it fails at delivery (`signer.missing`) and waits
 * on the health page for the administrator to install the seal and send it again.
 */
const NODE_SENT: ReadonlySet<MessageType> = new Set<MessageType>(['deletion_notice']);

/**
 * Queues a message for the other Party in the same transaction as the change
 * (delivered by the federation worker). The payload holds references, never
 * personal data: the transport assembles and signs the message when it sends.
 * Issue 15.1: the one place every officer's message about a request is queued (the request, answers,
 * refusals, steps, withdrawals, forwards, consent) refuses a body without a usable seal — the body that will
 * sign it, as composeMessage picks it (`refs.fromBody`, else the body holding the request) — so the
 * transaction that recorded the step is rolled back instead of a delivery failing later.
 */
export async function enqueue(
  tx: Tx,
  ctx: AppContext,
  row: RequestRow,
  type: MessageType,
  refs: Record<string, unknown>,
): Promise<string> {
  if (!NODE_SENT.has(type)) await requireSeal(ctx, typeof refs.fromBody === 'string' ? refs.fromBody : row.body_id, tx);
  const { messageId, values } = outboxValues(row, type, refs);
  await tx.insertInto('outbox').values(values).execute();
  return messageId;
}

/** The outbox row of a message about a request (a new message id); the batch inserts a chunk's at once. */
export function outboxValues(
  row: Pick<RequestRow, 'id' | 'counterpart_body' | 'counterpart_forwarded_to'>,
  type: MessageType,
  refs: Record<string, unknown>,
): { messageId: string; values: Insertable<OutboxTable> } {
  const messageId = randomUUID();
  const to = row.counterpart_body as { id: string; party: string };
  // R18: after the other Party forwarded the request, its territorial body executes it.
  const toBody = row.counterpart_forwarded_to ?? to.id;
  return {
    messageId,
    values: {
      message_id: messageId,
      request_id: row.id,
      type,
      to_party: to.party,
      to_body: toBody,
      payload: JSON.stringify(refs),
      last_error: null,
      delivered_at: null,
    },
  };
}

/**
 * A message of the requested Party about our request can overtake the receipt
 * of the request itself (the receipt was lost and our resend is still due).
 * It is refused as "not yet" (retryable): the sender retries, our resend gets
 * the original receipt, and the step then applies — the nodes converge.
 */
export function requireReceiptRecorded(row: RequestRow): void {
  if (row.direction === 'outgoing' && (row.state === 'signed' || row.state === 'sent')) {
    throw new EixError(
      'message.early',
      { requestId: row.id, state: row.state },
      'Квитанция о получении этого запроса ещё не обработана отправителем; повторите позже',
    );
  }
}

/** Runs `fn` in the caller's transaction, or in a new one. */
export function withTransaction<T>(ctx: AppContext, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? fn(tx) : ctx.db.transaction().execute(fn);
}

/**
 * A body this node serves, with its time zone and the local day of `at` there
 * (the Party's day: R12.a receipt, R-pair on receipt).
 */
export async function servedBody(
  tx: Tx,
  ctx: AppContext,
  bodyId: string,
  at: Date,
): Promise<{ body: Selectable<BodiesTable>; timeZone: string; localDay: IsoDate }> {
  const body = await tx.selectFrom('bodies').selectAll().where('id', '=', bodyId).executeTakeFirst();
  if (!body || body.party !== ctx.party) {
    throw new EixError(
      'message.recipient',
      { field: 'envelope.to.body', id: bodyId },
      `Орган ${bodyId} не обслуживается этим узлом`,
    );
  }
  return {
    body,
    timeZone: body.time_zone ?? partyTimeZone(ctx.party),
    localDay: partyDay(at, ctx.party, body.time_zone),
  };
}

/**
 * Today for a body of this node (partyDay: the Party's local day, in the
 * body's own time zone when it has one). Every rule that speaks of "today"
 * for a body's request asks here, never the UTC day.
 */
export async function bodyToday(db: Store | Tx, ctx: AppContext, bodyId: string): Promise<IsoDate> {
  const body = await db.selectFrom('bodies').select('time_zone').where('id', '=', bodyId).executeTakeFirst();
  return partyDay(ctx.clock.now(), ctx.party, body?.time_zone);
}

/** R-pair on receipt: the Agreement binds the sender's Party and this one on this Party's local day. */
export function requirePair(ctx: AppContext, fromParty: string, day: IsoDate): void {
  const pair = canSend(ctx.treaty(), { from: fromParty, to: ctx.party, date: day });
  if (!pair.allowed)
    throw new EixError('registry.pair', { field: 'envelope.from.party', code: pair.code }, pair.reason);
}

/**
 * R13.d: the Parties (requesting or requested) whose Article 25 declaration
 * covers this request's executive document and provisions, on the day the
 * request was received (R24: an in-flight request keeps the day's law).
 */
export function declarationPartiesFor(
  ctx: AppContext,
  row: RequestRow,
  document: Request,
  items: readonly { provisions: readonly string[] }[],
): string[] {
  const issuerKind = document.executiveDocument?.issuer?.kind;
  if (!issuerKind) return [];
  const requesting = document.requestingBody?.party;
  const requested = document.requestedBody?.party;
  if (!requesting || !requested) return [];
  return declarationParties(ctx.treaty(), {
    from: requesting,
    to: requested,
    date: row.received_on ?? partyDay(ctx.clock.now(), ctx.party, null),
    issuerKind,
    provisions: [...new Set(items.flatMap((i) => i.provisions))],
  });
}

/**
 * The request a message of the other Party concerns (by the request's message id and this node's direction),
 * locked, and whether that message was already applied to it (the history names its message id).
 */
export async function loadForRemoteMessage(
  tx: Tx,
  actor: Actor,
  m: { requestMessageId: string; direction: 'outgoing' | 'incoming'; messageId: string },
): Promise<{ row: RequestRow; applied: boolean }> {
  const ref = await tx
    .selectFrom('requests')
    .select('id')
    .where('message_id', '=', m.requestMessageId)
    .where('direction', '=', m.direction)
    .executeTakeFirst();
  if (!ref) throw new EixError('message.context', { field: 'inReplyTo', id: m.requestMessageId });
  const row = await loadRequest(tx, actor, ref.id, { act: true });
  requireReceiptRecorded(row);
  const seen = await tx
    .selectFrom('request_events')
    .select('id')
    .where('request_id', '=', row.id)
    .where(sql<boolean>`data->>'messageId' = ${m.messageId}`)
    .executeTakeFirst();
  return { row, applied: seen !== undefined };
}
