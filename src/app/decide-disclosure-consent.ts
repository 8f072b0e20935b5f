// R9.2, providing side: the officer of the body holding the incoming request
// grants or refuses the requesting Party's consent request to pass the
// information to a third party. One decision per consent; it is recorded in
// the history and the audit log and travels back as a consent_answer message,
// whose body is exactly `{ consentId, granted }`.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { enqueue, loadRequest } from './request-record.js';

export const DecideDisclosureConsentInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    /** The requesting node's consent id, as shown with the consent request. */
    consentId: Type.String({ format: 'uuid' }),
    granted: Type.Boolean(),
    /** The officer's own note (kept in this node's history; not sent). */
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
  },
  { additionalProperties: false },
);

export interface ConsentDecision {
  readonly consentId: string;
  readonly status: 'granted' | 'refused';
  readonly decidedAt: string;
  readonly messageId: string;
}

export async function decideDisclosureConsent(ctx: AppContext, actor: Actor, input: unknown): Promise<ConsentDecision> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(DecideDisclosureConsentInput, input, {
    consentId: 'запрос согласия',
    granted: 'решение (дать согласие или отказать)',
    note: 'примечание',
  });
  return ctx.db.transaction().execute(async (tx) => {
    // Only the body holding the request acts (a body that may not see it gets "not found").
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    const c =
      row.direction === 'incoming'
        ? await tx
            .selectFrom('received_consents')
            .selectAll()
            .where('request_id', '=', row.id)
            .where('consent_id', '=', p.consentId)
            .forUpdate()
            .executeTakeFirst()
        : undefined;
    if (!c)
      throw new EixError(
        'consent.not_found',
        { field: 'consentId', requestId: row.id, consentId: p.consentId },
        'По этому запросу нет такого запроса согласия предоставившей Стороны',
      );
    if (c.status !== 'requested') throw new EixError('consent.decided', { consentId: p.consentId, status: c.status });
    const status = p.granted ? 'granted' : 'refused';
    const now = ctx.clock.now();
    const messageId = await enqueue(tx, ctx, row, 'consent_answer', { consentId: c.consent_id, granted: p.granted });
    await tx
      .updateTable('received_consents')
      .set({ status, decided_at: now, decided_by: o.officerId, answer_message_id: messageId })
      .where('id', '=', c.id)
      .execute();
    await tx
      .insertInto('request_events')
      .values({
        request_id: row.id,
        event: 'consent_answer',
        side: 'requested',
        officer_id: o.officerId,
        data: JSON.stringify({ consentId: c.consent_id, granted: p.granted, ...(p.note ? { note: p.note } : {}) }),
        at: now,
      })
      .execute();
    await appendAudit(tx, ctx, o, {
      action: `consent.decision.${status}`,
      requestId: row.id,
      subject: row.number,
      details: { consentId: c.consent_id, messageId },
    });
    return { consentId: c.consent_id, status, decidedAt: now.toISOString(), messageId };
  });
}
