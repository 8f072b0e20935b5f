// R9.2: received information may go to third parties only with the consent of
// the Party that provided it. The requesting officer asks (a message to that
// Party); the answer is recorded by recordDisclosureConsent.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import type { Tx } from '../ports/store.js';
import { enqueue, loadRequest, withTransaction } from './request-record.js';

export const RequestDisclosureConsentInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    recipient: Type.String({ minLength: 1, maxLength: 1000 }),
    purpose: Type.String({ minLength: 1, maxLength: 5000 }),
  },
  { additionalProperties: false },
);

export async function requestDisclosureConsent(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ consentId: string; messageId: string }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(RequestDisclosureConsentInput, input, {
    recipient: 'третье лицо, которому нужно передать сведения',
    purpose: 'цель передачи',
  });
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (row.direction !== 'outgoing' || !row.message_id)
      throw new EixError(
        'workflow.transition',
        { requestId: row.id },
        'Согласие запрашивается у Стороны, предоставившей сведения по направленному запросу',
      );
    const c = await tx
      .insertInto('disclosure_consents')
      .values({
        request_id: row.id,
        recipient: p.recipient,
        purpose: p.purpose,
        status: 'requested',
        requested_at: ctx.clock.now(),
        decided_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const messageId = await enqueue(tx, ctx, row, 'consent_request', { requestId: row.id, consentId: c.id });
    await appendAudit(tx, ctx, o, {
      action: 'consent.request',
      requestId: row.id,
      subject: row.number,
      details: { consentId: c.id },
    });
    return { consentId: c.id, messageId };
  });
}

export const RecordDisclosureConsentInput = Type.Object(
  {
    consentId: Type.String({ format: 'uuid' }),
    granted: Type.Boolean(),
  },
  { additionalProperties: false },
);

/** The providing Party's decision, as its message arrives (federation inbox). */
export async function recordDisclosureConsent(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
  outer?: Tx,
): Promise<{ consentId: string; status: string }> {
  const p = parseInput(RecordDisclosureConsentInput, input);
  return withTransaction(ctx, outer, async (tx) => {
    const c = await tx
      .selectFrom('disclosure_consents')
      .selectAll()
      .where('id', '=', p.consentId)
      .forUpdate()
      .executeTakeFirst();
    if (!c) throw new EixError('input.invalid', { field: 'consentId' }, 'Нет такого запроса согласия');
    await loadRequest(tx, actor, c.request_id, { act: false });
    if (c.status !== 'requested') return { consentId: c.id, status: c.status };
    const status = p.granted ? 'granted' : 'refused';
    await tx
      .updateTable('disclosure_consents')
      .set({ status, decided_at: ctx.clock.now() })
      .where('id', '=', c.id)
      .execute();
    await appendAudit(tx, ctx, actor, {
      action: `consent.${status}`,
      requestId: c.request_id,
      details: { consentId: c.id },
    });
    return { consentId: c.id, status };
  });
}
