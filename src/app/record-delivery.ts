// The transport's report for an outgoing request: delivered, with the signed
// receipt's time (the official receipt that starts the requested Party's
// R12 deadline). The request becomes sent, then received; the outbox row is done.
// The receipt's deadline (R12.a) and, from protocol version 2, the shorter
// date the requested body recorded (R12.b `requestedBy`) are kept on our side.
import Type from 'typebox';
import { sha256Hex } from '../adapters/crypto/jws.js';
import { isIsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { partyDay } from '../domain/parties.js';
import { sql, type Insertable } from 'kysely';
import type { RequestEventsTable } from '../adapters/db/schema.js';
import { statisticsColumns } from '../domain/statistics.js';
import type { Tx } from '../ports/store.js';
import { appendAuditMany, type AuditFields } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { applyEvent, loadRequest, planEvent } from './request-record.js';
import { recordJwsHeaders, storedJws } from './stored-jws.js';

export const RecordDeliveryInput = Type.Object(
  {
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
    receiptAt: Type.String({ format: 'date-time' }),
    receipt: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

/** What the history keeps of a receipt: its facts, and the JWS by its SHA-256 (the bytes stay on the outbox row). */
function eventReceipt(receipt: Record<string, unknown>): Record<string, unknown> {
  const { jws, ...facts } = receipt;
  return typeof jws === 'string' ? { ...facts, jwsSha256: sha256Hex(jws) } : facts;
}

/** The outbox row's `receipt`: the receipt's JWS in its stored form (its header by reference, src/app/stored-jws.ts). */
function storedReceipt(ctx: AppContext, receipt: Record<string, unknown>): Record<string, unknown> {
  return typeof receipt.jws === 'string' ? { ...receipt, jws: storedJws(ctx.db, receipt.jws) } : receipt;
}

const receiptJws = (p: Delivery): string | null => (typeof p.receipt?.jws === 'string' ? p.receipt.jws : null);

export async function recordDelivery(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  /** The caller's transaction (a bundle's deliveries are recorded together); a new one when absent. */
  outer?: Tx,
): Promise<{ requestId: string | null; state: string | null }> {
  const p = parseDelivery(input);
  // The receipt's header (the receiving body's certificate) recorded first, outside the transaction.
  if (!outer) await recordJwsHeaders(ctx.db, [receiptJws(p)]);
  const inTx = <T>(f: (tx: Tx) => Promise<T>) => (outer ? f(outer) : ctx.db.transaction().execute(f));
  return inTx(async (tx) => {
    const msg = await tx
      .selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', p.messageId)
      .forUpdate()
      .executeTakeFirst();
    if (!msg) throw new EixError('input.invalid', { field: 'messageId' }, `Нет исходящего сообщения ${p.messageId}`);
    if (msg.status === 'delivered') return { requestId: msg.request_id, state: null };
    await tx
      .updateTable('outbox')
      .set({
        status: 'delivered',
        delivered_at: new Date(p.receiptAt),
        last_error: null,
        // The receiver's signed receipt stays with the message after its bytes are purged (R9.6).
        ...(p.receipt ? { receipt: JSON.stringify(storedReceipt(ctx, p.receipt)) } : {}),
      })
      .where('id', '=', msg.id)
      .execute();
    if (msg.type !== 'request' || !msg.request_id) return { requestId: msg.request_id, state: null };
    let row = await loadRequest(tx, actor, msg.request_id, { act: true });
    await applyEvent(tx, ctx, actor, row, 'send', { messageId: p.messageId });
    row = await loadRequest(tx, actor, msg.request_id, { act: true });
    const facts = receiptFacts(p);
    const { state } = await applyEvent(tx, ctx, actor, row, 'receipt', facts.data, {}, true);
    const zone = await tx.selectFrom('bodies').select('time_zone').where('id', '=', row.body_id).executeTakeFirst();
    await tx
      .updateTable('requests')
      .set({
        received_at: facts.receiptAt,
        received_on: partyDay(facts.receiptAt, ctx.party, zone?.time_zone),
        ...(facts.deadline ? { deadline: facts.deadline, deadline_basis: 'R12.a' } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    return { requestId: msg.request_id, state };
  });
}

type Delivery = ReturnType<typeof parseDelivery>;
const parseDelivery = (input: unknown) => parseInput(RecordDeliveryInput, input);

/** What a receipt changes on our request: its history entry's data, when it was received, the term (R12.a, R12.b). */
function receiptFacts(p: Delivery) {
  const deadline = isIsoDate(p.receipt?.deadline) ? p.receipt.deadline : null;
  const requestedBy = isIsoDate(p.receipt?.requestedBy) ? p.receipt.requestedBy : null;
  return {
    // When the other Party received it (the list's «получен» and period filter), on this body's local day.
    receiptAt: new Date(p.receiptAt),
    deadline,
    // The receipt is the requested Party's act (its signed receipt): the history says so on this side too
    // (issue 14: not «подтвердить получение (запрашивающая сторона)» when the other side confirmed).
    data: {
      messageId: p.messageId,
      receiptAt: p.receiptAt,
      ...(deadline ? { deadline } : {}),
      ...(requestedBy ? { requestedBy } : {}),
      // The receipt itself (its JWS, with the signing certificate in x5c) is kept once, on the outbox row;
      // the history names it by its SHA-256 instead of storing its bytes again with every request.
      ...(p.receipt ? { receipt: eventReceipt(p.receipt) } : {}),
    },
  };
}

/**
 * The deliveries of a bundle's messages (issue 16), in the caller's transaction, together: the same effect as
 * recordDelivery on each (the outbox row delivered with its receipt; an outgoing request sent, then received by
 * the other Party, with its history, audit entries and the receipt's term), in a few statements for the whole
 * bundle instead of about twelve per message. For the transport (a system actor): no officer's access check.
 */
export async function recordDeliveries(
  ctx: AppContext,
  actor: Actor,
  inputs: readonly unknown[],
  tx: Tx,
): Promise<void> {
  if (actor.kind === 'officer') throw new EixError('access.denied', {}, 'Доставку отмечает только транспорт узла');
  const ps = inputs.map(parseDelivery);
  if (ps.length === 0) return;
  // Only what is decided here: the rows' signed bytes and documents are not read (nor detoasted) for it.
  const msgs = await tx
    .selectFrom('outbox')
    .select(['id', 'message_id', 'status', 'type', 'request_id'])
    .where(
      'message_id',
      'in',
      ps.map((p) => p.messageId),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
  const byMessage = new Map(msgs.map((m) => [m.message_id, m]));
  const todo = ps.flatMap((p) => {
    const msg = byMessage.get(p.messageId);
    if (!msg) throw new EixError('input.invalid', { field: 'messageId' }, `Нет исходящего сообщения ${p.messageId}`);
    return msg.status === 'delivered' ? [] : [{ p, msg }];
  });
  if (todo.length === 0) return;
  const delivered = todo.map(({ p, msg }) => ({
    id: msg.id,
    delivered_at: p.receiptAt,
    receipt: p.receipt ? storedReceipt(ctx, p.receipt) : null,
  }));
  await sql`update outbox as o set status = 'delivered', delivered_at = x.delivered_at, last_error = null,
      receipt = coalesce(x.receipt, o.receipt)
    from jsonb_to_recordset(cast(${JSON.stringify(delivered)} as jsonb))
      as x(id bigint, delivered_at timestamptz, receipt jsonb)
    where o.id = x.id`.execute(tx);
  const requests = todo.filter(({ msg }) => msg.type === 'request' && msg.request_id);
  if (requests.length === 0) return;
  const ids = requests.map(({ msg }) => msg.request_id!);
  const rows = new Map(
    (
      await tx
        .selectFrom('requests')
        .select(['id', 'direction', 'state', 'body_id', 'number', 'version', 'counterpart_party', 'responded_on'])
        .where('id', 'in', ids)
        .orderBy('id')
        .forUpdate()
        .execute()
    ).map((r) => [r.id, r]),
  );
  const histories = new Map<string, { event: string }[]>();
  for (const h of await tx
    .selectFrom('request_events')
    .select(['request_id', 'event'])
    .where('request_id', 'in', ids)
    .orderBy('id')
    .execute()) {
    const list = histories.get(h.request_id);
    if (list) list.push(h);
    else histories.set(h.request_id, [h]);
  }
  const zones = new Map(
    (
      await tx
        .selectFrom('bodies')
        .select(['id', 'time_zone'])
        .where('id', 'in', [...new Set([...rows.values()].map((r) => r.body_id))])
        .execute()
    ).map((b) => [b.id, b.time_zone]),
  );
  const history: Insertable<RequestEventsTable>[] = [];
  const audit: AuditFields[] = [];
  const changes = requests.map(({ p, msg }) => {
    const row = rows.get(msg.request_id!);
    if (!row) throw new EixError('request.not_found', { requestId: msg.request_id }, 'Запрос не найден');
    const past = histories.get(row.id) ?? [];
    const sent = planEvent(ctx, actor, row, 'send', { messageId: p.messageId }, past);
    const facts = receiptFacts(p);
    const received = planEvent(
      ctx,
      actor,
      { ...row, state: sent.state },
      'receipt',
      facts.data,
      [...past, { event: 'send' }],
      true,
    );
    history.push(sent.history, received.history);
    audit.push(sent.audit, received.audit);
    // What the statistics keep of these events (none today; the same function as applyEvent, should one count).
    const stats = {
      ...statisticsColumns('send', {}, row, () => partyDay(ctx.clock.now(), row.counterpart_party)),
      ...statisticsColumns('receipt', facts.data, row, () => partyDay(ctx.clock.now(), row.counterpart_party)),
    };
    return {
      id: row.id,
      state: received.state,
      version: row.version + 2,
      received_at: p.receiptAt,
      received_on: partyDay(facts.receiptAt, ctx.party, zones.get(row.body_id)),
      deadline: facts.deadline,
      responded_on: stats.responded_on ?? null,
      refusal_ground: stats.refusal_ground ?? null,
      additional_info_asked: stats.additional_info_asked ?? null,
    };
  });
  await sql`update requests as r set state = x.state, version = x.version, updated_at = ${ctx.clock.now()},
      received_at = x.received_at, received_on = x.received_on,
      deadline = coalesce(x.deadline, r.deadline),
      deadline_basis = case when x.deadline is null then r.deadline_basis else 'R12.a' end,
      responded_on = coalesce(x.responded_on, r.responded_on),
      refusal_ground = coalesce(x.refusal_ground, r.refusal_ground),
      additional_info_asked = coalesce(x.additional_info_asked, r.additional_info_asked)
    from jsonb_to_recordset(cast(${JSON.stringify(changes)} as jsonb))
      as x(id uuid, state text, version integer, received_at timestamptz, received_on date, deadline date,
        responded_on date, refusal_ground text, additional_info_asked boolean)
    where r.id = x.id`.execute(tx);
  for (let i = 0; i < history.length; i += 500)
    await tx
      .insertInto('request_events')
      .values(history.slice(i, i + 500))
      .execute();
  await appendAuditMany(tx, ctx, actor, audit);
}
