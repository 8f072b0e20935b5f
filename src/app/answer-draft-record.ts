// Shared steps around the draft answer from the domestic registries (issue 17
// item 2, migration 025): its sealed form, reading it for the request page and
// the answer form, and settling it when an answer is sent — the items answered
// leave the draft; a final answer ends it.
import type { DraftItem } from '../domain/registry-lookups.js';
import { LOOKUP_FAILURE_LABELS, LOOKUP_KIND_LABELS } from '../domain/vocabulary.js';
import type { Store, Tx } from '../ports/store.js';
import type { AppContext } from './context.js';

export const answerDraftAad = (requestId: string): string => `answer_draft:${requestId}`;

/** A drafted item, and whether it was sent already (automatically, or by the officer in a partial answer). */
export type StoredDraftItem = DraftItem & { readonly sent?: { readonly at: string; readonly by: 'auto' | 'officer' } };

/** The draft as sealed in answer_drafts.draft_enc. */
export interface StoredDraft {
  readonly items: readonly StoredDraftItem[];
  readonly preparedAt: string;
  /** Automatic sending was allowed but did not happen: why, in Russian (the officer sends it). */
  readonly autoSendFailed?: string;
}

export type DraftStatus = 'pending' | 'looking_up' | 'ready' | 'failed';

export interface DraftRecord {
  readonly status: DraftStatus;
  /** null while the registries are being asked. */
  readonly draft: StoredDraft | null;
}

/** The request's draft, opened (the caller audits the read with the request's). Null when there is none. */
export async function readAnswerDraft(db: Store | Tx, ctx: AppContext, requestId: string): Promise<DraftRecord | null> {
  const row = await db
    .selectFrom('answer_drafts')
    .select(['status', 'draft_enc'])
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    status: row.status,
    draft: row.draft_enc ? ctx.sealer.decryptJson<StoredDraft>(row.draft_enc, answerDraftAad(requestId)) : null,
  };
}

export function sealDraft(ctx: AppContext, requestId: string, draft: StoredDraft) {
  return { draft_enc: ctx.sealer.encryptJson(draft, answerDraftAad(requestId)), key_id: ctx.sealer.activeKeyId };
}

/**
 * An answer was sent for `answered` items: they are marked sent in a ready draft; a final answer ends the
 * draft (the answers themselves are stored; the registries' data is kept no longer than needed, R9.1).
 * A draft still being looked up drops answered items when it is written (draft-answer-from-registries.ts).
 */
export async function settleAnswerDraft(
  tx: Tx,
  ctx: AppContext,
  requestId: string,
  a: { answered: readonly number[]; final: boolean; by: 'auto' | 'officer' },
): Promise<void> {
  if (a.final) {
    await tx.deleteFrom('answer_drafts').where('request_id', '=', requestId).execute();
    return;
  }
  const rec = await readAnswerDraft(tx, ctx, requestId);
  if (!rec?.draft) return;
  const at = ctx.clock.now().toISOString();
  const items = rec.draft.items.map((i) =>
    a.answered.includes(i.itemNo) && !i.sent ? { ...i, sent: { at, by: a.by } } : i,
  );
  await tx
    .updateTable('answer_drafts')
    .set({ ...sealDraft(ctx, requestId, { ...rec.draft, items }), updated_at: ctx.clock.now() })
    .where('request_id', '=', requestId)
    .execute();
}

/** The draft's overall reason when nothing usable came back: each registry and why, in Russian. */
export function failureText(items: StoredDraft['items']): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const i of items)
    for (const s of i.sources)
      if (s.status === 'failed' && s.failure) {
        const t = `«${s.source}» (${LOOKUP_KIND_LABELS[s.kind]}) — ${LOOKUP_FAILURE_LABELS[s.failure]}`;
        if (!seen.has(t)) parts.push(t);
        seen.add(t);
      }
  return parts.join('; ');
}
