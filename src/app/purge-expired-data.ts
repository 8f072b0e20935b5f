// R9.6: information received from another Party is kept for the period the
// requesting Party's law sets (retention_rules), then destroyed: the answer
// data and attachments are erased, a tombstone (purged_at) and an audit entry
// remain; nothing readable is left.
import { sql } from 'kysely';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';

export interface PurgeResult {
  readonly answers: number;
  readonly attachments: number;
  readonly requests: string[];
  readonly rule: { months: number; legalBasis: string } | null;
}

export async function purgeExpiredData(ctx: AppContext, actor: Actor): Promise<PurgeResult> {
  return ctx.db.transaction().execute(async (tx) => {
    const rule = await tx.selectFrom('retention_rules').selectAll().where('party', '=', ctx.party).executeTakeFirst();
    if (!rule) return { answers: 0, attachments: 0, requests: [], rule: null };
    const cutoff = sql<Date>`${ctx.clock.now()}::timestamptz - make_interval(months => ${rule.months})`;
    // Answers received on this node's outgoing requests.
    const expired = await tx
      .selectFrom('answers')
      .innerJoin('requests', 'requests.id', 'answers.request_id')
      .select(['answers.id', 'answers.request_id'])
      .where('requests.direction', '=', 'outgoing')
      .where('answers.purged_at', 'is', null)
      .where('answers.created_at', '<', cutoff)
      .forUpdate()
      .execute();
    if (expired.length === 0)
      return { answers: 0, attachments: 0, requests: [], rule: { months: rule.months, legalBasis: rule.legal_basis } };
    const ids = expired.map((a) => a.id);
    await tx
      .updateTable('answers')
      .set({ data_enc: null, key_id: null, purged_at: ctx.clock.now() })
      .where('id', 'in', ids)
      .execute();
    // Attachments no longer linked to any live answer.
    const purgedFiles = await tx
      .updateTable('attachments')
      .set({ content_enc: null, key_id: null, purged_at: ctx.clock.now() })
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
    const requests = [...new Set(expired.map((a) => a.request_id))];
    for (const requestId of requests) {
      const n = expired.filter((a) => a.request_id === requestId).length;
      await appendAudit(tx, ctx, actor, {
        action: 'personal_data.purge',
        requestId,
        details: { answers: n, months: rule.months, legalBasis: rule.legal_basis },
      });
    }
    return {
      answers: ids.length,
      attachments: Number(purgedFiles.numUpdatedRows),
      requests,
      rule: { months: rule.months, legalBasis: rule.legal_basis },
    };
  });
}
