// The officer edits a draft; a signed request not yet delivered goes back to
// draft (the queued message is withdrawn from the outbox before it leaves).
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import {
  buildDocument,
  checkDocument,
  DraftContentSchema,
  DRAFT_FIELDS,
  loadProceeding,
  searchKeys,
  writeItems,
  type DraftResult,
} from './draft-request.js';
import { parseInput } from './input.js';
import { applyEvent, bodyToday, loadRequest } from './request-record.js';

export const ReviseDraftInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
    ...DraftContentSchema.properties,
  },
  { additionalProperties: false },
);

export async function reviseDraft(ctx: AppContext, actor: Actor, input: unknown): Promise<DraftResult> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(ReviseDraftInput, input, DRAFT_FIELDS);
  return ctx.db.transaction().execute(async (tx) => {
    let row = await loadRequest(tx, o, p.requestId, { act: true });
    if (row.direction !== 'outgoing')
      throw new EixError('workflow.actor', { requestId: row.id }, 'Входящий запрос нельзя редактировать');
    if (p.version !== undefined && p.version !== row.version)
      throw new EixError('request.conflict', { requestId: row.id, version: row.version });
    if (row.state === 'signed') {
      const pulled = await tx
        .deleteFrom('outbox')
        .where('request_id', '=', row.id)
        .where('type', '=', 'request')
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(pulled.numDeletedRows) === 0)
        throw new EixError(
          'workflow.transition',
          { requestId: row.id },
          'Запрос уже передаётся запрашиваемой Стороне; изменить его нельзя',
        );
      await applyEvent(tx, ctx, o, row, 'revise', {}, { message_id: null });
      row = await loadRequest(tx, o, p.requestId, { act: true });
    }
    if (row.state !== 'draft')
      throw new EixError(
        'workflow.transition',
        { requestId: row.id, state: row.state },
        'Изменять можно только проект запроса',
      );
    const proceeding = await loadProceeding(tx, o, row.proceeding_id!);
    const doc = await buildDocument(tx, ctx, proceeding, p);
    const counterpart = {
      id: doc.requestedBody?.id ?? '',
      party: doc.requestedBody?.party ?? '',
      name: doc.requestedBody?.name ?? '',
    };
    await tx
      .updateTable('requests')
      .set({
        document: JSON.stringify(doc),
        counterpart_party: counterpart.party || '??',
        counterpart_body: JSON.stringify(counterpart),
        confidential: doc.confidential ?? false,
        shorter_term: doc.shorterTerm ?? null,
        search_keys: searchKeys(ctx, doc),
        version: row.version + 1,
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', row.id)
      .execute();
    await writeItems(tx, row.id, doc);
    await appendAudit(tx, ctx, o, { action: 'request.revise_draft', requestId: row.id });
    return { id: row.id, state: 'draft', check: checkDocument(ctx, o, doc, await bodyToday(tx, ctx, row.body_id)) };
  });
}
