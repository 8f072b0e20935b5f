// Export of information received on a request, in Russian, for:
//  - the creditor (R9.3): as far as needed to have the judgment recognised and
//    enforced in the providing Party, with that Party's special disclosure
//    procedure and the body to apply to, when its answer gave one;
//  - a third party (R9.2): only with the providing Party's recorded consent.
// Every export is a read of received personal data and is logged (R9.1).
import Type from 'typebox';
import { OUTCOME_LABELS_RU, type AnswerData, type AnswerOutcome } from '../domain/answer.js';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { loadRequest } from './request-record.js';

export const ExportReceivedDataInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    recipient: Type.Union([Type.Literal('creditor'), Type.Literal('third_party')]),
    consentId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

export interface ReceivedDataExport {
  requestNumber: string;
  providingParty: string;
  recipient: 'creditor' | 'third_party';
  items: { itemNo: number; outcome: string; data: AnswerData }[];
  /** R9.3: how the creditor may obtain disclosure in the providing Party. */
  disclosureProcedures: { description: string; body: string }[];
  notice: string;
}

export async function exportReceivedData(ctx: AppContext, actor: Actor, input: unknown): Promise<ReceivedDataExport> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(ExportReceivedDataInput, input, {
    recipient: 'получатель сведений',
    consentId: 'согласие предоставившей Стороны',
  });
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (row.direction !== 'outgoing')
      throw new EixError(
        'access.denied',
        { requestId: row.id },
        'Выгрузка касается сведений, полученных по направленному запросу',
      );
    if (p.recipient === 'third_party') {
      const consent = p.consentId
        ? await tx
            .selectFrom('disclosure_consents')
            .select(['status'])
            .where('id', '=', p.consentId)
            .where('request_id', '=', row.id)
            .executeTakeFirst()
        : undefined;
      if (consent?.status !== 'granted') {
        throw new EixError(
          'consent.required',
          { field: 'consentId', requestId: row.id, status: consent?.status ?? null },
          'Передача третьему лицу возможна только с согласия Стороны, предоставившей сведения (статья 9); согласие не получено',
        );
      }
    }
    const answers = await tx
      .selectFrom('answers')
      .selectAll()
      .where('request_id', '=', row.id)
      .where('purged_at', 'is', null)
      .orderBy('item_no')
      .orderBy('created_at')
      .execute();
    if (answers.length === 0)
      throw new EixError(
        'attachment.not_found',
        { requestId: row.id },
        'По запросу нет полученных сведений (или они уничтожены по истечении срока хранения)',
      );
    const items = answers.map((a) => ({
      itemNo: a.item_no,
      outcome: OUTCOME_LABELS_RU[a.outcome as AnswerOutcome],
      data: ctx.sealer.decryptJson<AnswerData>(a.data_enc!, `answer:${a.id}`),
    }));
    const procedures = items.flatMap((i) => (i.data.disclosureProcedure ? [i.data.disclosureProcedure] : []));
    const party = row.counterpart_party;
    await appendAudit(tx, ctx, o, {
      action: `personal_data.export.${p.recipient}`,
      requestId: row.id,
      subject: row.number,
      details: { consentId: p.consentId ?? null, items: items.length },
    });
    return {
      requestNumber: row.number,
      providingParty: party,
      recipient: p.recipient,
      items,
      disclosureProcedures: procedures,
      notice:
        p.recipient === 'creditor'
          ? `Сведения предоставлены ${party} по запросу ${row.number} и раскрываются взыскателю в объёме, необходимом для признания и исполнения судебного акта (статья 9 Соглашения).` +
            (procedures.length
              ? ` Предоставившая Сторона установила особый порядок раскрытия: ${procedures.map((x) => `${x.description} (орган: ${x.body})`).join('; ')}.`
              : '')
          : `Сведения предоставлены ${party} по запросу ${row.number} и передаются третьему лицу с согласия предоставившей Стороны (статья 9 Соглашения).`,
    };
  });
}
