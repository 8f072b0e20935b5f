// R13.a/R13.d: the requested body refuses with a ground of Article 13 and the
// circumstances; a refusal on a Party's Article 25 declaration names that
// Party, which must be the requesting or the requested one and its declaration
// must cover this document's issuer kind and the request's provisions.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { partyName as name } from '../domain/vocabulary.js';
import type { Request } from '../domain/request.js';
import { REFUSAL_GROUNDS } from '../domain/workflow.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { applyEvent, declarationPartiesFor, enqueue, loadRequest } from './request-record.js';

export const RefuseRequestInput = Type.Object(
  {
    requestId: Type.String({ format: 'uuid' }),
    ground: Type.Enum(REFUSAL_GROUNDS),
    circumstances: Type.String({ minLength: 1, maxLength: 10_000 }),
    /** R13.d: the Party whose declaration covers the executive document. */
    declarationParty: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const FIELDS = {
  ground: 'основание отказа (статья 13)',
  circumstances: 'обстоятельства, послужившие основанием отказа',
  declarationParty: 'Сторона, сделавшая заявление (статья 25)',
};

export async function refuseRequest(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; state: string; messageId: string }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(RefuseRequestInput, input, FIELDS);
  if (p.ground === 'declaration' && !p.declarationParty) {
    throw new EixError(
      'input.invalid',
      { field: 'declarationParty' },
      'При отказе по заявлению Стороны (статья 25) укажите Сторону, сделавшую заявление',
    );
  }
  if (p.ground !== 'declaration' && p.declarationParty) {
    throw new EixError(
      'input.invalid',
      { field: 'declarationParty' },
      'Сторона, сделавшая заявление, указывается только при отказе по заявлению (статья 25)',
    );
  }
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, p.requestId, { act: true });
    if (p.version !== undefined && p.version !== row.version)
      throw new EixError('request.conflict', { requestId: row.id, version: row.version });
    if (p.ground === 'declaration' && row.direction === 'incoming') {
      const items = await tx
        .selectFrom('request_items')
        .select('provisions')
        .where('request_id', '=', row.id)
        .execute();
      const document = ctx.sealer.decryptJson<Request>(row.document_enc!, `request:${row.id}`);
      const parties = declarationPartiesFor(ctx, row, document, items);
      if (!parties.includes(p.declarationParty!)) {
        throw new EixError(
          'refusal.declaration_party',
          { field: 'declarationParty', party: p.declarationParty, parties },
          parties.length === 0
            ? 'Ни запрашивающая, ни запрашиваемая Сторона не делала заявления (статья 25), которое относится к исполнительному документу и положениям этого запроса'
            : `Заявление Стороны ${name(p.declarationParty!)} не относится к этому запросу; отказ по заявлению возможен только по заявлению: ${parties.map(name).join(', ')} (статья 25)`,
        );
      }
    }
    const data = {
      ground: p.ground,
      circumstances: p.circumstances,
      ...(p.declarationParty ? { declarationParty: p.declarationParty } : {}),
    };
    const { state, eventId } = await applyEvent(tx, ctx, o, row, 'refuse', data);
    const messageId = await enqueue(tx, ctx, row, 'refusal', { requestId: row.id, eventId });
    return { id: row.id, state, messageId };
  });
}
