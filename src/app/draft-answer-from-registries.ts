// Straight-through answers (issue 17 item 2): one round of the registry
// lookups the node owes its received requests. A request received while the
// node has connectors gets a `pending` row in answer_drafts in the receipt's
// transaction (receive-request.ts); the receipt never waits for a registry.
// A round then
// 1. claims due rows (FOR UPDATE SKIP LOCKED, with a lease: a process that
//    died mid-lookup leaves the row to another after the lease) and, in the
//    claim's transaction, writes one `registry.lookup` audit entry per lookup
//    it is about to make, with its purpose (R9.1) — no registry is asked
//    without a committed trace;
// 2. asks the registries, outside any transaction, only for what the items
//    ask for (lookupsOf, R9.1), each with what identifies the debtor and
//    nothing else;
// 3. writes the draft (sealed), `ready` when something can be reviewed,
//    `failed` when nothing usable came back — the officer answers by hand and
//    the request page says why, in Russian — and, where an administrator
//    allowed automatic sending for an item's kind, sends those items as the
//    body (a savepoint: a refusal leaves the draft for the officer, with the
//    reason).
import { hostname } from 'node:os';
import { AnswerDataSchema } from '../domain/answer.js';
import { checkSchema } from '../domain/problems.js';
import {
  autoSendItems,
  composeDraft,
  lookupsOf,
  SINGLE_ROW_KINDS,
  type LookupKind,
  type LookupResult,
  type Period,
} from '../domain/registry-lookups.js';
import type { Item, Request } from '../domain/request.js';
import { partyName, provisionsRu } from '../domain/vocabulary.js';
import { isOpen, type RequestState } from '../domain/workflow.js';
import type { DebtorQuery, RegistryLookup, RegistryQuery } from '../ports/registry-lookup.js';
import type { Tx } from '../ports/store.js';
import { recordAnswer, type AnswerRequestItems } from './answer-request.js';
import { sealDraft, settleAnswerDraft, type StoredDraft } from './answer-draft-record.js';
import { appendAudit, withSavepoint } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { isEixError } from '../domain/errors.js';
import { loadRequest } from './request-record.js';

export const REGISTRIES_ACTOR: Actor = { kind: 'system', name: 'registries' };

export interface LookupRoundOptions {
  /** Drafts claimed per round (4). */
  readonly limit?: number;
  /** How long a claim holds before another process may take the row over (10 minutes). */
  readonly leaseMs?: number;
  /** Claims of one row before it is given up as `interrupted` (3). */
  readonly maxAttempts?: number;
  /** Aborted when the node stops: lookups in flight end, their rows are claimed again later. */
  readonly signal?: AbortSignal;
}

/** One call to a registry: the kind, the period asked, and the items it serves. */
interface Call {
  readonly kind: LookupKind;
  readonly period?: Period;
  readonly items: { readonly itemNo: number; readonly provisions: readonly string[] }[];
  readonly registry: RegistryLookup;
}

interface Claimed {
  readonly requestId: string;
  readonly items: readonly { readonly itemNo: number; readonly item: Item }[];
  readonly debtor: DebtorQuery;
  readonly number: string;
  readonly requestingParty: string;
  readonly calls: readonly Call[];
}

/** R9.1: what identifies the debtor in a registry, and nothing else of the request. */
export function debtorQuery(doc: Request): DebtorQuery | null {
  const d = doc.debtor;
  if (!d) return null;
  const ids = (d.ids ?? []).map((i) => ({ country: i.country, kind: i.kind, value: i.value }));
  if (d.type === 'legal_entity') return { type: 'legal_entity', ...(d.name ? { name: d.name } : {}), ids };
  return {
    type: 'individual',
    ...(d.surname ? { surname: d.surname } : {}),
    ...(d.name ? { name: d.name } : {}),
    ...(d.patronymic ? { patronymic: d.patronymic } : {}),
    ...(d.latinName ? { latinName: d.latinName } : {}),
    ...(d.birthDate ? { birthDate: d.birthDate } : {}),
    ids,
  };
}

/** The purpose written with every lookup (R9.1), in Russian. */
export function lookupPurpose(number: string, party: string, items: Call['items']): string {
  const parts = items.map((i) => `пункт ${i.itemNo} (${provisionsRu(i.provisions)})`).join(', ');
  return `Исполнение запроса № ${number} (${partyName(party)}): ${parts} Соглашения`;
}

/** The looked-up draft stored (sealed) with its outcome, its lease released. */
async function storeLookedUp(
  tx: Tx,
  ctx: AppContext,
  requestId: string,
  status: 'ready' | 'failed',
  draft: StoredDraft,
  now: Date,
): Promise<void> {
  await tx
    .updateTable('answer_drafts')
    .set({ status, lease_until: null, claimed_by: null, ...sealDraft(ctx, requestId, draft), updated_at: now })
    .where('request_id', '=', requestId)
    .execute();
}

/** The items not answered yet, with what each asked (the document's item of the same number). */
async function openItems(tx: Tx, requestId: string, doc: Request) {
  const rows = await tx
    .selectFrom('request_items')
    .select('item_no')
    .where('request_id', '=', requestId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('answers')
            .select('answers.id')
            .whereRef('answers.request_id', '=', 'request_items.request_id')
            .whereRef('answers.item_no', '=', 'request_items.item_no'),
        ),
      ),
    )
    .orderBy('item_no')
    .execute();
  return rows.flatMap((r) => {
    const item = doc.items?.[r.item_no - 1];
    return item ? [{ itemNo: r.item_no, item }] : [];
  });
}

function plan(ctx: AppContext, items: readonly { itemNo: number; item: Item }[]): Call[] {
  const calls = new Map<string, Call>();
  for (const { itemNo, item } of items)
    for (const l of lookupsOf(item)) {
      const registry = ctx.registries?.forKind(l.kind) ?? null;
      if (!registry) continue;
      const key = `${l.kind}|${JSON.stringify(l.period ?? null)}`;
      const call = calls.get(key) ?? { kind: l.kind, ...(l.period ? { period: l.period } : {}), items: [], registry };
      call.items.push({ itemNo, provisions: l.provisions });
      calls.set(key, call);
    }
  return [...calls.values()];
}

async function claim(ctx: AppContext, opts: Required<Omit<LookupRoundOptions, 'signal'>>): Promise<Claimed[]> {
  const now = ctx.clock.now();
  const by = `${hostname()}#${process.pid}`;
  return ctx.db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('answer_drafts')
      .select(['request_id', 'attempts'])
      .where((eb) =>
        eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'looking_up'), eb('lease_until', '<', now)])]),
      )
      .orderBy('created_at')
      .limit(opts.limit)
      .forUpdate()
      .skipLocked()
      .execute();
    const out: Claimed[] = [];
    for (const d of due) {
      // Read, not locked: an answer locks the request, then the draft; the claim holds the draft only.
      const row = await loadRequest(tx, REGISTRIES_ACTOR, d.request_id, { act: false });
      const doc =
        row.document_enc && row.purged_at === null
          ? ctx.sealer.decryptJson<Request>(row.document_enc, `request:${row.id}`)
          : null;
      const debtor = doc ? debtorQuery(doc) : null;
      const items = doc && debtor && isOpen(row.state as RequestState) ? await openItems(tx, row.id, doc) : [];
      const calls = plan(ctx, items);
      if (calls.length === 0) {
        // Nothing the registries could tell (answered meanwhile, withdrawn, no item in their gift).
        await tx.deleteFrom('answer_drafts').where('request_id', '=', row.id).execute();
        continue;
      }
      if (d.attempts >= opts.maxAttempts) {
        const draft: StoredDraft = {
          items: composeDraft(
            items,
            new Map(
              items.map((i) => [
                i.itemNo,
                calls
                  .filter((c) => c.items.some((x) => x.itemNo === i.itemNo))
                  .map((c): LookupResult => ({
                    kind: c.kind,
                    source: c.registry.title,
                    status: 'failed',
                    failure: 'interrupted',
                  })),
              ]),
            ),
          ),
          preparedAt: now.toISOString(),
        };
        await storeLookedUp(tx, ctx, row.id, 'failed', draft, now);
        continue;
      }
      for (const c of calls)
        await appendAudit(tx, ctx, REGISTRIES_ACTOR, {
          action: 'registry.lookup',
          bodyId: row.body_id,
          requestId: row.id,
          subject: row.number,
          details: {
            registry: c.registry.title,
            lookup: c.kind,
            itemNos: c.items.map((i) => i.itemNo),
            provisions: [...new Set(c.items.flatMap((i) => i.provisions))],
            purpose: lookupPurpose(row.number, row.counterpart_party, c.items),
            ...(c.period ? { period: c.period } : {}),
          },
        });
      await tx
        .updateTable('answer_drafts')
        .set({
          status: 'looking_up',
          attempts: d.attempts + 1,
          lease_until: new Date(now.getTime() + opts.leaseMs),
          claimed_by: by,
          updated_at: now,
        })
        .where('request_id', '=', row.id)
        .execute();
      out.push({
        requestId: row.id,
        items,
        debtor: debtor!,
        number: row.number,
        requestingParty: row.counterpart_party,
        calls,
      });
    }
    return out;
  });
}

/** One registry call; rows that do not fit the answer's schema make it a failure (garbage), never a draft. */
async function ask(c: Claimed, call: Call, signal?: AbortSignal): Promise<LookupResult> {
  const q: RegistryQuery = {
    kind: call.kind,
    debtor: c.debtor,
    ...(call.period ? { period: call.period } : {}),
    purpose: {
      requestNumber: c.number,
      requestingParty: c.requestingParty,
      itemNo: call.items[0]!.itemNo,
      provisions: [...new Set(call.items.flatMap((i) => i.provisions))],
    },
  };
  const base = { kind: call.kind, source: call.registry.title };
  let a;
  try {
    a = await call.registry.lookup(q, signal);
  } catch {
    return { ...base, status: 'failed', failure: 'unavailable' };
  }
  if (a.status !== 'found')
    return a.status === 'failed' ? { ...base, status: 'failed', failure: a.failure } : { ...base, status: 'not_found' };
  const rows = SINGLE_ROW_KINDS.includes(call.kind) ? a.rows.slice(0, 1) : a.rows;
  const data = { [call.kind]: SINGLE_ROW_KINDS.includes(call.kind) ? rows[0] : rows };
  if (checkSchema(AnswerDataSchema, data).length > 0) return { ...base, status: 'failed', failure: 'garbage' };
  return rows.length
    ? { ...base, status: 'found', rows: rows as Record<string, unknown>[] }
    : { ...base, status: 'not_found' };
}

async function write(ctx: AppContext, c: Claimed, results: readonly LookupResult[]): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const now = ctx.clock.now();
    const row = await loadRequest(tx, REGISTRIES_ACTOR, c.requestId, { act: true });
    const held = await tx
      .selectFrom('answer_drafts')
      .select('status')
      .where('request_id', '=', row.id)
      .forUpdate()
      .executeTakeFirst();
    if (held?.status !== 'looking_up') return; // answered finally meanwhile, or taken over after the lease
    const stillOpen = new Set(
      row.document_enc && isOpen(row.state as RequestState)
        ? (await openItems(tx, row.id, ctx.sealer.decryptJson<Request>(row.document_enc, `request:${row.id}`))).map(
            (i) => i.itemNo,
          )
        : [],
    );
    const items = c.items.filter((i) => stillOpen.has(i.itemNo));
    if (items.length === 0) {
      await tx.deleteFrom('answer_drafts').where('request_id', '=', row.id).execute();
      return;
    }
    const byItem = new Map<number, LookupResult[]>();
    c.calls.forEach((call, n) => {
      for (const i of call.items) byItem.set(i.itemNo, [...(byItem.get(i.itemNo) ?? []), results[n]!]);
    });
    const drafted = composeDraft(items, byItem);
    const usable = drafted.some((d) => d.outcome !== null);
    let draft: StoredDraft = { items: drafted, preparedAt: now.toISOString() };
    await storeLookedUp(tx, ctx, row.id, usable ? 'ready' : 'failed', draft, now);
    await appendAudit(tx, ctx, REGISTRIES_ACTOR, {
      action: 'registry.draft',
      bodyId: row.body_id,
      requestId: row.id,
      subject: row.number,
      details: {
        items: drafted.length,
        found: drafted.filter((d) => d.outcome === 'found').length,
        failures: results.filter((r) => r.status === 'failed').map((r) => (r.status === 'failed' ? r.failure : '')),
      },
    });
    const auto = usable
      ? autoSendItems(drafted, ctx.registries?.autoSend ?? [], {
          problems: row.receipt_check?.problems.length ?? 0,
          notices: row.receipt_check?.notices.length ?? 0,
        })
      : [];
    if (auto.length === 0) return;
    const answerItems = drafted
      .filter((d) => auto.includes(d.itemNo))
      .map((d) => ({
        itemNo: d.itemNo,
        outcome: d.outcome!,
        ...(d.data ? { data: d.data } : {}),
      })) as AnswerRequestItems;
    const answered = await tx.selectFrom('answers').select('item_no').where('request_id', '=', row.id).execute();
    const all = await tx.selectFrom('request_items').select('item_no').where('request_id', '=', row.id).execute();
    const done = new Set([...answered.map((a) => a.item_no), ...auto]);
    const final = all.every((i) => done.has(i.item_no));
    try {
      await withSavepoint(tx, 'auto_send', async () => {
        await recordAnswer(tx, ctx, REGISTRIES_ACTOR, row, { final, items: answerItems });
        await settleAnswerDraft(tx, ctx, row.id, { answered: auto, final, by: 'auto' });
      });
    } catch (e) {
      if (!isEixError(e)) throw e;
      draft = { ...draft, autoSendFailed: e.message };
      await tx
        .updateTable('answer_drafts')
        .set({ ...sealDraft(ctx, row.id, draft), updated_at: now })
        .where('request_id', '=', row.id)
        .execute();
      await appendAudit(tx, ctx, REGISTRIES_ACTOR, {
        action: 'registry.auto_send_failed',
        bodyId: row.body_id,
        requestId: row.id,
        subject: row.number,
        details: { code: e.code, itemNos: auto },
      });
    }
  });
}

/** One round; returns how many drafts it claimed (0: nothing due). */
export async function draftAnswerFromRegistries(ctx: AppContext, options: LookupRoundOptions = {}): Promise<number> {
  if (!ctx.registries) return 0;
  const claimed = await claim(ctx, {
    limit: options.limit ?? 4,
    leaseMs: options.leaseMs ?? 10 * 60_000,
    maxAttempts: options.maxAttempts ?? 3,
  });
  await Promise.all(
    claimed.map(async (c) => {
      const results = await Promise.all(c.calls.map((call) => ask(c, call, options.signal)));
      // A stopping node leaves the row to be claimed again after its lease (nothing half written).
      if (options.signal?.aborted) return;
      await write(ctx, c, results);
    }),
  );
  return claimed.length;
}
