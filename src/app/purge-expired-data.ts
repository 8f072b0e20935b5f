// R9.6: information received under the Agreement is kept for the periods set
// by the requesting Party's law, then destroyed (docs/ARCHITECTURE.md,
// decision 26). One run destroys every kind whose period has ended, request
// by request, one transaction each:
// - answers_received / answers_sent: answer data and attachments (tombstone
//   `answers.purged_at`, shown to the officer);
// - incoming_requests: the sealed document and its blind-index search keys
//   (tombstone `requests.purged_at`);
// - step_texts: sealed texts of the other side's steps and consent requests;
// - messages: sealed signed bytes in the inbox and outbox; a message keeps
//   its header, the SHA-256 of the signed bytes and the receipt.
// Idempotent (only what is still there is destroyed), an audit entry per
// request purged (R9.1). The result lists, per request and kind, what was
// destroyed and under which rule: the hook for deletion notices.
import { sql } from 'kysely';
import { sha256Hex } from '../adapters/crypto/jws.js';
import {
  addMonths,
  dataKindsOf,
  governingParty,
  retentionEnds,
  ruleFor,
  type DataKind,
  type RetentionRuleRef,
} from '../domain/retention.js';
import { REQUEST_STATES, isTerminal, type RequestState } from '../domain/workflow.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import { notifyDeletion } from './notify-deletion.js';
import { recordEvent } from './record-event.js';
import { openSealedJws } from './stored-jws.js';
import type { DESTROYED_KINDS } from '../domain/messages.js';
import { checkRetentionRules, loadRetentionRules, type MissingRetentionRule } from './check-retention-rules.js';
import type { Actor, AppContext } from './context.js';

/** What one run destroyed of one request's data of one kind (one entry per request and kind). */
export interface DestroyedData {
  readonly kind: DataKind;
  readonly requestId: string;
  /** The request's registration number (the requesting body's number for an incoming request). */
  readonly requestNumber: string;
  readonly direction: 'incoming' | 'outgoing';
  /** The other Party of the request and its body: the one that provided or received the data. */
  readonly counterpartParty: string;
  readonly counterpartBody: string;
  /** The request message's id on the wire (both nodes know the request by it); null if it never left. */
  readonly requestMessageId: string | null;
  /** The rule applied: its Party (the requesting Party), its kind (`all` = the general rule), period and basis. */
  readonly rule: RetentionRuleRef;
  /** When the period ended (the request's last event plus the rule's months). */
  readonly expiredAt: string;
  /** Rows destroyed: answers and attachments, the request document, step and consent texts, messages. */
  readonly count: number;
  /** Messages whose signed bytes were destroyed (kind `messages`); their headers and hashes remain. */
  readonly messageIds: readonly string[];
}

export interface PurgeResult {
  /** The time of the run (the tombstones' `purged_at`). */
  readonly at: string;
  readonly destroyed: readonly DestroyedData[];
  /** Requests with something destroyed in this run (an audit entry each). */
  readonly requests: readonly string[];
  readonly totals: { readonly [K in DataKind]: number } & { readonly answers: number; readonly attachments: number };
  /** Rules needed and not set: that data is not destroyed (R9.6 warning). */
  readonly missingRules: readonly MissingRetentionRule[];
}

const TERMINAL: readonly RequestState[] = REQUEST_STATES.filter(isTerminal);

interface Candidate {
  id: string;
  direction: 'incoming' | 'outgoing';
  counterpart_party: string;
}

export async function purgeExpiredData(ctx: AppContext, actor: Actor): Promise<PurgeResult> {
  const now = ctx.clock.now();
  const rules = await loadRetentionRules(ctx.db);
  const missingRules = (await checkRetentionRules(ctx, actor)).missing;
  const candidates = await findCandidates(ctx, rules, now);
  const destroyed: DestroyedData[] = [];
  const requests: string[] = [];
  let answers = 0;
  let attachments = 0;
  for (const c of candidates) {
    const r = await ctx.db.transaction().execute((tx) => purgeRequest(tx, ctx, actor, c.id, rules, now));
    if (r.destroyed.length) requests.push(c.id);
    destroyed.push(...r.destroyed);
    answers += r.answers;
    attachments += r.attachments;
  }
  const byKind = (k: DataKind) => destroyed.filter((d) => d.kind === k).reduce((s, d) => s + d.count, 0);
  return {
    at: now.toISOString(),
    destroyed,
    requests,
    totals: {
      answers_received: byKind('answers_received'),
      incoming_requests: byKind('incoming_requests'),
      answers_sent: byKind('answers_sent'),
      step_texts: byKind('step_texts'),
      messages: byKind('messages'),
      answers,
      attachments,
    },
    missingRules,
  };
}

/**
 * Requests in a final state whose last event is older than the shortest
 * period that could apply to them (the exact check is per kind, in the
 * request's own transaction).
 */
async function findCandidates(ctx: AppContext, rules: readonly RetentionRuleRef[], now: Date): Promise<Candidate[]> {
  const shortest = (party: string, direction: 'incoming' | 'outgoing'): number | null => {
    const months = dataKindsOf(direction)
      .map((k) => ruleFor(rules, party, k)?.months)
      .filter((m): m is number => m !== undefined);
    return months.length ? Math.min(...months) : null;
  };
  const scopes: { direction: 'incoming' | 'outgoing'; party: string | null; before: Date }[] = [];
  const own = shortest(ctx.party, 'outgoing');
  if (own !== null) scopes.push({ direction: 'outgoing', party: null, before: addMonths(now, -own) });
  for (const party of new Set(rules.map((r) => r.party))) {
    const m = shortest(party, 'incoming');
    if (m !== null) scopes.push({ direction: 'incoming', party, before: addMonths(now, -m) });
  }
  const found: Candidate[] = [];
  for (const s of scopes) {
    // A day of slack: month arithmetic is exact in the domain, the query only narrows.
    const before = new Date(s.before.getTime() + 86_400_000);
    let q = ctx.db
      .selectFrom('requests as r')
      .select(['r.id', 'r.direction', 'r.counterpart_party'])
      .where('r.direction', '=', s.direction)
      .where('r.state', 'in', TERMINAL)
      .where(
        sql<boolean>`coalesce((select max(e.at) from request_events e where e.request_id = r.id), r.updated_at) < ${before}`,
      )
      .orderBy('r.id');
    if (s.party !== null) q = q.where('r.counterpart_party', '=', s.party);
    found.push(...(await q.execute()));
  }
  return found;
}

interface RequestPurge {
  destroyed: DestroyedData[];
  answers: number;
  attachments: number;
}

/** What of each kind the other Party provided, as a deletion notice names it (own copies are not notified). */
const PROVIDED: Readonly<Record<DestroyedData['kind'], readonly (typeof DESTROYED_KINDS)[number][]>> = {
  answers_received: ['answers', 'attachments'],
  incoming_requests: ['request'],
  answers_sent: [],
  step_texts: ['messages'],
  messages: ['messages'],
};

async function purgeRequest(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  id: string,
  rules: readonly RetentionRuleRef[],
  now: Date,
): Promise<RequestPurge> {
  const row = await tx
    .selectFrom('requests')
    .select([
      'id',
      'number',
      'direction',
      'state',
      'body_id',
      'counterpart_party',
      'counterpart_body',
      'message_id',
      'updated_at',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const last = await tx
    .selectFrom('request_events')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('request_id', '=', id)
    .executeTakeFirst();
  const lastEventAt = last?.at ? new Date(last.at) : row.updated_at;
  const party = governingParty({ direction: row.direction, counterpartParty: row.counterpart_party }, ctx.party);
  const out: RequestPurge = { destroyed: [], answers: 0, attachments: 0 };
  for (const kind of dataKindsOf(row.direction)) {
    const rule = ruleFor(rules, party, kind);
    if (!rule) continue;
    const ends = retentionEnds({ state: row.state as RequestState, lastEventAt }, rule);
    if (!ends || ends > now) continue;
    const done = await DESTROY[kind](tx, ctx, id, now);
    out.answers += done.answers ?? 0;
    out.attachments += done.attachments ?? 0;
    if (done.count === 0) continue;
    out.destroyed.push({
      kind,
      requestId: id,
      requestNumber: row.number,
      direction: row.direction,
      counterpartParty: row.counterpart_party,
      counterpartBody: row.counterpart_body.id,
      requestMessageId: row.message_id,
      rule,
      expiredAt: ends.toISOString(),
      count: done.count,
      messageIds: done.messageIds ?? [],
    });
  }
  // R9.6: the Party that provided what was destroyed is told, in this transaction (a signed deletion notice).
  const provided = [...new Set(out.destroyed.flatMap((d) => PROVIDED[d.kind]))];
  if (provided.length && row.message_id) {
    const d = out.destroyed[0]!;
    await notifyDeletion(tx, ctx, actor, {
      requestId: id,
      destroyed: provided,
      rule: `${d.rule.legalBasis} (${d.rule.months} мес.)`,
      destroyedAt: now.toISOString(),
    });
  }
  if (out.destroyed.length) {
    await recordEvent(tx, ctx, {
      kind: 'data_destroyed',
      requestId: id,
      bodyId: row.body_id,
      at: now,
      data: { kinds: out.destroyed.map((d) => d.kind) },
    });
    await appendAudit(tx, ctx, actor, {
      action: 'personal_data.purge',
      bodyId: row.body_id,
      requestId: id,
      subject: row.number,
      details: {
        kinds: out.destroyed.map((d) => ({
          kind: d.kind,
          count: d.count,
          rule: { party: d.rule.party, kind: d.rule.kind, months: d.rule.months, legalBasis: d.rule.legalBasis },
          ...(d.messageIds.length ? { messageIds: d.messageIds } : {}),
        })),
      },
    });
  }
  return out;
}

interface Destroyed {
  count: number;
  answers?: number;
  attachments?: number;
  messageIds?: string[];
}

type Destroyer = (tx: Tx, ctx: AppContext, requestId: string, now: Date) => Promise<Destroyed>;

/** Answer data, and the attachments no live answer links any more (content-addressed, maybe shared). */
const answersOf: Destroyer = async (tx, _ctx, requestId, now) => {
  const purged = await tx
    .updateTable('answers')
    .set({ data_enc: null, key_id: null, purged_at: now })
    .where('request_id', '=', requestId)
    .where('purged_at', 'is', null)
    .returning('id')
    .execute();
  if (purged.length === 0) return { count: 0 };
  const ids = purged.map((a) => a.id);
  const files = await tx
    .updateTable('attachments')
    .set({ content_enc: null, key_id: null, purged_at: now })
    .where('purged_at', 'is', null)
    .where('sha256', 'in', tx.selectFrom('answer_attachments').select('sha256').where('answer_id', 'in', ids))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('answer_attachments')
            .innerJoin('answers', 'answers.id', 'answer_attachments.answer_id')
            .select('answers.id')
            .whereRef('answer_attachments.sha256', '=', 'attachments.sha256')
            .where('answers.purged_at', 'is', null),
        ),
      ),
    )
    .executeTakeFirst();
  const attachments = Number(files.numUpdatedRows);
  return { count: ids.length + attachments, answers: ids.length, attachments };
};

/** The incoming request's sealed document, its blind-index keys, what the receipt check quoted from it, the registries' draft. */
const incomingRequest: Destroyer = async (tx, _ctx, requestId, now) => {
  const r = await tx
    .updateTable('requests')
    .set({
      document_enc: null,
      key_id: null,
      search_keys: sql<string[]>`'{}'::text[]`,
      receipt_check: null,
      purged_at: now,
    })
    .where('id', '=', requestId)
    .where('direction', '=', 'incoming')
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  // Issue 17.2: a registries' draft answer about the debtor goes with the request it was made for.
  const drafts = await tx.deleteFrom('answer_drafts').where('request_id', '=', requestId).executeTakeFirst();
  return { count: Number(r.numUpdatedRows) + Number(drafts.numDeletedRows) };
};

/** Sealed texts of the other side's steps (the history keeps the event, its message id and the time) and consent requests. */
const stepTexts: Destroyer = async (tx, _ctx, requestId, now) => {
  const events = await tx
    .updateTable('request_events')
    .set({ data: sql`(data - 'sealed') || jsonb_build_object('purgedAt', ${now.toISOString()}::text)` })
    .where('request_id', '=', requestId)
    .where(sql<boolean>`data->>'sealed' is not null`)
    .executeTakeFirst();
  const consents = await tx
    .updateTable('received_consents')
    .set({ details_enc: null, key_id: null, purged_at: now })
    .where('request_id', '=', requestId)
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  return { count: Number(events.numUpdatedRows) + Number(consents.numUpdatedRows) };
};

/**
 * The signed bytes of the request's messages, both ways. Kept: the header
 * (message id, type, Parties and bodies, times), the SHA-256 of the signed
 * bytes (computed now for a row signed before it was stored) and the receipt.
 * A message still being delivered keeps its bytes until it is delivered or fails.
 */
const messages: Destroyer = async (tx, ctx, requestId, now) => {
  const refs = await tx
    .selectFrom('request_events')
    .select(sql<string>`data->>'messageId'`.as('id'))
    .where('request_id', '=', requestId)
    .where(sql<boolean>`data->>'messageId' is not null`)
    .execute();
  const own = await tx
    .selectFrom('requests')
    .select('message_id')
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  const consents = await tx
    .selectFrom('received_consents')
    .select('message_id')
    .where('request_id', '=', requestId)
    .execute();
  const ids = [
    ...new Set([
      ...refs.map((r) => r.id),
      ...(own.message_id ? [own.message_id] : []),
      ...consents.map((c) => c.message_id),
    ]),
  ];
  const destroyed: string[] = [];
  if (ids.length) {
    const inbox = await tx
      .selectFrom('inbox')
      .select(['message_id', 'payload_enc', 'payload_sha256'])
      .where('message_id', 'in', ids)
      .where('purged_at', 'is', null)
      .forUpdate()
      .execute();
    for (const m of inbox) {
      // The hash of the bytes received (the header put back: src/app/stored-jws.ts), what the receipt names.
      const sha =
        m.payload_sha256 ??
        (m.payload_enc ? sha256Hex(await openSealedJws(ctx, m.payload_enc, `inbox:${m.message_id}`, tx)) : null);
      await tx
        .updateTable('inbox')
        .set({ payload_enc: null, key_id: null, payload_sha256: sha, purged_at: now })
        .where('message_id', '=', m.message_id)
        .execute();
      destroyed.push(m.message_id);
    }
  }
  const outbox = await tx
    .selectFrom('outbox')
    .select(['id', 'message_id', 'signed_enc', 'signed_sha256'])
    .where('request_id', '=', requestId)
    .where('purged_at', 'is', null)
    .where('signed_enc', 'is not', null)
    .where('status', 'in', ['delivered', 'failed'])
    .forUpdate()
    .execute();
  for (const m of outbox) {
    const sha = m.signed_sha256 ?? sha256Hex(await openSealedJws(ctx, m.signed_enc!, `outbox:${m.message_id}`, tx));
    await tx
      .updateTable('outbox')
      .set({ signed_enc: null, signed_key_id: null, signed_sha256: sha, purged_at: now })
      .where('id', '=', m.id)
      .execute();
    destroyed.push(m.message_id);
  }
  return { count: destroyed.length, messageIds: destroyed };
};

const DESTROY: Readonly<Record<DataKind, Destroyer>> = {
  answers_received: answersOf,
  answers_sent: answersOf,
  incoming_requests: incomingRequest,
  step_texts: stepTexts,
  messages,
};
