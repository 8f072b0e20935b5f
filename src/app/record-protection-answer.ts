// R9.5: another Party's answer about its protection measures and retention
// periods, bound to the query this node sent (`envelope.inReplyTo`). Called by
// the receive pipeline inside its transaction. An answer that names no open
// query sent to that Party is refused (`message.context`): nothing is stored.
import { EixError } from '../domain/errors.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';

const FEDERATION: Actor = { kind: 'system', name: 'federation' };

export interface ProtectionAnswerReceived {
  /** The protection_query's message id (`envelope.inReplyTo` of the answer). */
  readonly queryId: string;
  /** `envelope.from.party` of the answer. */
  readonly fromParty: string;
  readonly measures: string;
  readonly retention: string;
  readonly contact?: string | undefined;
  readonly receivedAt: Date;
  /** The answer's message id, kept for the record. */
  readonly messageId?: string;
}

export async function recordProtectionAnswer(
  tx: Tx,
  ctx: AppContext,
  a: ProtectionAnswerReceived,
): Promise<{ queryId: string }> {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const q = UUID.test(a.queryId)
    ? await tx
        .selectFrom('protection_queries')
        .select(['id', 'from_body'])
        .where('id', '=', a.queryId)
        .where('to_party', '=', a.fromParty)
        .where('answered_at', 'is', null)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!q)
    throw new EixError(
      'message.context',
      { field: 'inReplyTo', id: a.queryId },
      'Ответ о мерах защиты не относится к открытому запросу, направленному этой Стороне',
    );
  await tx
    .updateTable('protection_queries')
    .set({
      answered_at: a.receivedAt,
      answer_message_id: a.messageId ?? null,
      measures: a.measures,
      retention: a.retention,
      contact: a.contact ?? null,
    })
    .where('id', '=', q.id)
    .execute();
  await appendAudit(tx, ctx, FEDERATION, {
    action: 'protection_query.answered',
    bodyId: q.from_body,
    subject: q.id,
    details: { party: a.fromParty, messageId: a.messageId ?? null },
  });
  return { queryId: q.id };
}
