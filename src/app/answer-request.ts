// The requested body answers per item (found / not found / partial / not
// disclosable) with structured data and attachments; several partial answers
// may precede the final one, which must leave no item unanswered. Answer data
// and attachments are encrypted at rest (R9.4); the message to the requesting
// Party is queued in the same transaction.
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { AnswerItemsSchema, type AnswerOutcome } from '../domain/answer.js';
import { EixError } from '../domain/errors.js';
import { requireRole } from './authorize.js';
import { checkAttachments, type CheckedAttachment } from './check-attachments.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { settleAnswerDraft } from './answer-draft-record.js';
import { applyEvent, enqueue, loadRequest, type RequestRow } from './request-record.js';
import type { Tx } from '../ports/store.js';

export const AnswerRequestInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    final: Type.Boolean(),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
    items: AnswerItemsSchema,
  },
  { additionalProperties: false },
);

const FIELDS = { items: 'ответы по пунктам запроса', final: 'окончательный ответ' };

export type AnswerRequestItems = Type.Static<typeof AnswerRequestInput>['items'];

export async function answerRequest(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; state: string; answerIds: string[]; messageId: string }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(AnswerRequestInput, input, FIELDS);
  // Every file is checked (size, base64, type by content) before anything is stored (ASVS V12.1.1, V12.2.1).
  const files = await checkAttachments(ctx, p.items, (i, j) => `items[${i}].attachments[${j}]`);
  checkAnswerItems(p.items, files);
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (p.version !== undefined && p.version !== row.version)
      throw new EixError('request.conflict', { requestId: row.id, version: row.version });
    const r = await recordAnswer(tx, ctx, o, row, { final: p.final, items: p.items, files });
    // Issue 17.2: what the officer answered leaves the registries' draft.
    await settleAnswerDraft(tx, ctx, row.id, { answered: p.items.map((i) => i.itemNo), final: p.final, by: 'officer' });
    return r;
  });
}

/** Each item once; "found" (or partly) only with data or documents. */
export function checkAnswerItems(items: AnswerRequestItems, files: readonly (readonly unknown[])[]): void {
  const seen = new Set<number>();
  items.forEach((item, i) => {
    if (seen.has(item.itemNo))
      throw new EixError('input.invalid', { field: `items[${i}].itemNo` }, `Пункт ${item.itemNo} указан дважды`);
    seen.add(item.itemNo);
    if ((item.outcome === 'found' || item.outcome === 'partial') && !item.data && !files[i]?.length) {
      throw new EixError(
        'input.invalid',
        { field: `items[${i}].data` },
        `Пункт ${item.itemNo}: при ответе «сведения найдены» укажите сведения или приложите документы`,
      );
    }
  });
}

/**
 * The answer written in the caller's transaction, on the request locked there: the items must be the
 * request's, a final answer must leave none unanswered; the workflow event, the sealed answers and their
 * files, and the message to the requesting Party (outbox). The officer's answer and the automatic one
 * (issue 17.2, draft-answer-from-registries.ts) both come here.
 */
export async function recordAnswer(
  tx: Tx,
  ctx: AppContext,
  actor: Actor,
  row: RequestRow,
  p: { final: boolean; items: AnswerRequestItems; files?: readonly (readonly CheckedAttachment[])[] },
): Promise<{ id: string; state: string; answerIds: string[]; messageId: string }> {
  const items = await tx.selectFrom('request_items').select('item_no').where('request_id', '=', row.id).execute();
  const known = new Set(items.map((i) => i.item_no));
  p.items.forEach((item, i) => {
    if (!known.has(item.itemNo))
      throw new EixError(
        'answer.item',
        { field: `items[${i}].itemNo`, itemNo: item.itemNo },
        `В запросе нет пункта ${item.itemNo}`,
      );
  });
  if (p.final) {
    const seen = new Set(p.items.map((i) => i.itemNo));
    const answered = new Set(
      (await tx.selectFrom('answers').select('item_no').where('request_id', '=', row.id).execute()).map(
        (a) => a.item_no,
      ),
    );
    const missing = [...known].filter((n) => !answered.has(n) && !seen.has(n)).sort((a, b) => a - b);
    if (missing.length)
      throw new EixError(
        'input.invalid',
        { field: 'items', missing },
        `Окончательный ответ должен охватывать все пункты запроса; нет ответа по пунктам ${missing.join(', ')}`,
      );
  }
  const { state } = await applyEvent(tx, ctx, actor, row, p.final ? 'answer_final' : 'answer_partial', {
    items: p.items.map((i) => ({ itemNo: i.itemNo, outcome: i.outcome })),
  });
  const answerIds = await storeAnswers(tx, ctx, {
    requestId: row.id,
    final: p.final,
    createdBy: actor.kind === 'officer' ? actor.officerId : null,
    items: p.items,
    files: p.files ?? [],
  });
  const messageId = await enqueue(tx, ctx, row, p.final ? 'answer_final' : 'answer_partial', {
    requestId: row.id,
    answerIds,
  });
  return { id: row.id, state, answerIds, messageId };
}

/**
 * Stores a message's answers, each encrypted, with their files (answers given and answers received);
 * returns their ids in the items' order.
 */
export async function storeAnswers(
  tx: Tx,
  ctx: AppContext,
  a: {
    requestId: string;
    final: boolean;
    createdBy: string | null;
    items: readonly { itemNo: number; outcome: AnswerOutcome; data?: unknown }[];
    /** The files of each item, by the item's position. */
    files: readonly (readonly AttachmentFile[] | undefined)[];
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, item] of a.items.entries()) {
    const id = randomUUID();
    await tx
      .insertInto('answers')
      .values({
        id,
        request_id: a.requestId,
        item_no: item.itemNo,
        outcome: item.outcome,
        final: a.final,
        data_enc: ctx.sealer.encryptJson(item.data ?? {}, `answer:${id}`),
        key_id: ctx.sealer.activeKeyId,
        created_by: a.createdBy,
        purged_at: null,
      })
      .execute();
    for (const f of a.files[i] ?? []) await storeAttachment(tx, ctx, id, f);
    ids.push(id);
  }
  return ids;
}

type AttachmentFile = { fileName: string; mediaType: string; content: Buffer; sha256: string };

/** Content-addressed, encrypted attachment linked to an answer. */
async function storeAttachment(tx: Tx, ctx: AppContext, answerId: string, f: AttachmentFile): Promise<void> {
  await tx
    .insertInto('attachments')
    .values({
      sha256: f.sha256,
      size: f.content.length,
      media_type: f.mediaType,
      content_enc: ctx.sealer.encrypt(f.content, `attachment:${f.sha256}`),
      key_id: ctx.sealer.activeKeyId,
      purged_at: null,
    })
    .onConflict((oc) =>
      oc
        .column('sha256')
        .doUpdateSet({
          content_enc: ctx.sealer.encrypt(f.content, `attachment:${f.sha256}`),
          key_id: ctx.sealer.activeKeyId,
          purged_at: null,
        })
        .where('attachments.purged_at', 'is not', null),
    )
    .execute();
  await tx
    .insertInto('answer_attachments')
    .values({ answer_id: answerId, sha256: f.sha256, file_name: f.fileName })
    .execute();
}
