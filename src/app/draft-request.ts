// R10.b: an officer drafts a request inside a proceeding of his own body; the
// request takes the parties and the executive document from the proceeding.
// A draft may be incomplete: the answer carries every problem at once (R11).
import Type from 'typebox';
import type { Insertable, Selectable } from 'kysely';
import type { ProceedingsTable, RequestItemsTable, RequestsTable } from '../adapters/db/schema.js';
import type { IsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import type { CheckResult } from '../domain/problems.js';
import {
  BodyRefSchema,
  ItemSchema,
  REQUEST_FIELD_NAMES,
  itemProvisions,
  type ExecutiveDocument,
  type Person,
  type Request,
} from '../domain/request.js';
import { partyDay } from '../domain/parties.js';
import { validateRequest } from '../domain/request-validation.js';
import { documentTerms, personTerms } from '../domain/search.js';
import type { Tx } from '../ports/store.js';
import { appendAudit, type AuditFields } from './audit.js';
import { canActForBody, notFound, requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { parseInput } from './input.js';
import { bodyToday } from './request-record.js';

/** What the officer fills in; the rest comes from the proceeding and the body. */
export const DraftContentSchema = Type.Object(
  {
    executiveDocumentIndex: Type.Optional(Type.Integer({ minimum: 0, maximum: 19 })),
    requestedBody: BodyRefSchema,
    items: Type.Array(ItemSchema, { maxItems: 20 }),
    grounds: Type.Optional(Type.String({ maxLength: 10_000 })),
    otherInfo: Type.Optional(Type.String({ maxLength: 10_000 })),
    confidential: Type.Optional(Type.Boolean()),
    shorterTerm: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

export const DraftRequestInput = Type.Object(
  {
    proceedingId: Type.String({ format: 'uuid' }),
    ...DraftContentSchema.properties,
  },
  { additionalProperties: false },
);

export type DraftContent = Type.Static<typeof DraftContentSchema>;
export const DRAFT_FIELDS = {
  ...REQUEST_FIELD_NAMES,
  proceedingId: 'исполнительное производство',
  executiveDocumentIndex: 'исполнительный документ производства',
};

export interface DraftResult {
  readonly id: string;
  readonly state: string;
  readonly check: CheckResult;
}

export async function draftRequest(ctx: AppContext, actor: Actor, input: unknown): Promise<DraftResult> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(DraftRequestInput, input, DRAFT_FIELDS);
  return ctx.db.transaction().execute(async (tx) => {
    const proceeding = await loadProceeding(tx, o, p.proceedingId);
    const doc = await buildDocument(tx, ctx, proceeding, p);
    const row = await tx
      .insertInto('requests')
      .values(draftValues(ctx, o, proceeding.id, doc))
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeItems(tx, row.id, doc);
    await appendAudit(tx, ctx, o, draftAudit(row.id, proceeding.id));
    return { id: row.id, state: 'draft', check: checkDocument(ctx, o, doc, await bodyToday(tx, ctx, o.bodyId)) };
  });
}

export async function loadProceeding(tx: Tx, o: Officer, id: string): Promise<Selectable<ProceedingsTable>> {
  const row = await tx.selectFrom('proceedings').selectAll().where('id', '=', id).executeTakeFirst();
  // R10.b: only the body holding the proceeding may request in it.
  if (!row || !canActForBody(o, row.body_id)) throw notFound('proceeding.not_found', id);
  return row;
}

export async function buildDocument(
  tx: Tx,
  ctx: AppContext,
  proceeding: Selectable<ProceedingsTable>,
  c: DraftContent,
): Promise<Request> {
  const body = await tx
    .selectFrom('bodies')
    .select(['id', 'party', 'name', 'time_zone'])
    .where('id', '=', proceeding.body_id)
    .executeTakeFirstOrThrow();
  const docs = proceeding.executive_documents as ExecutiveDocument[];
  const index = c.executiveDocumentIndex ?? 0;
  const executiveDocument = docs[index];
  if (!executiveDocument)
    throw new EixError(
      'input.invalid',
      { field: 'executiveDocumentIndex' },
      `В производстве нет исполнительного документа № ${index + 1}`,
    );
  return composeDocument(ctx, body, proceeding, executiveDocument, c);
}

/** The body that drafts: what a request says of it and the time zone of its day. */
export interface DraftingBody {
  readonly id: string;
  readonly party: string;
  readonly name: string;
  readonly time_zone: string | null;
}

/**
 * The request as drafted from a proceeding's parties and one of its executive documents (R10.b, R11.1);
 * the single path (draftRequest) and the batch (batch-requests.ts) both build it here.
 */
export function composeDocument(
  ctx: AppContext,
  body: DraftingBody,
  proceeding: Pick<Selectable<ProceedingsTable>, 'number' | 'opened_on' | 'body_id' | 'debtor' | 'creditor'>,
  executiveDocument: ExecutiveDocument,
  c: Omit<DraftContent, 'executiveDocumentIndex'>,
  /** The body's local day when the caller has it already (a batch builds thousands at once). */
  today?: IsoDate,
): Request {
  return {
    date: today ?? partyDay(ctx.clock.now(), body.party, body.time_zone),
    requestingBody: { id: body.id, party: body.party, name: body.name },
    requestedBody: c.requestedBody,
    proceeding: { number: proceeding.number, openedOn: proceeding.opened_on, bodyId: proceeding.body_id },
    executiveDocument,
    debtor: proceeding.debtor as Person,
    creditor: proceeding.creditor as Person,
    items: c.items,
    ...(c.grounds !== undefined ? { grounds: c.grounds } : {}),
    ...(c.otherInfo !== undefined ? { otherInfo: c.otherInfo } : {}),
    ...(c.confidential !== undefined ? { confidential: c.confidential } : {}),
    ...(c.shorterTerm !== undefined ? { shorterTerm: c.shorterTerm } : {}),
  };
}

/** The stored row of a new outgoing draft (number and message come with the signature). */
export function draftValues(
  ctx: AppContext,
  o: Officer,
  proceedingId: string,
  doc: Request,
): Insertable<RequestsTable> {
  const counterpart = {
    id: doc.requestedBody?.id ?? '',
    party: doc.requestedBody?.party ?? '',
    name: doc.requestedBody?.name ?? '',
  };
  return {
    direction: 'outgoing',
    number: '',
    body_id: o.bodyId,
    proceeding_id: proceedingId,
    counterpart_party: counterpart.party || '??',
    counterpart_body: JSON.stringify(counterpart),
    state: 'draft',
    document: JSON.stringify(doc),
    document_enc: null,
    key_id: null,
    confidential: doc.confidential ?? false,
    shorter_term: doc.shorterTerm ?? null,
    received_at: null,
    received_on: null,
    deadline: null,
    deadline_basis: null,
    delay_until: null,
    message_id: null,
    search_keys: searchKeys(ctx, doc),
    created_by: o.officerId,
  };
}

/** R9.1: the audit entry of a new draft (the batch adds where the row came from). */
export function draftAudit(requestId: string, proceedingId: string, extra: Record<string, unknown> = {}): AuditFields {
  return { action: 'request.draft', requestId, details: { proceedingId, ...extra } };
}

/** R11 and the rest of validateRequest on `today`, the drafting body's local day (bodyToday). */
export function checkDocument(ctx: AppContext, o: Officer, doc: Request, today: IsoDate): CheckResult {
  return validateRequest(doc, {
    today,
    treaty: ctx.treaty(),
    officerBodyId: o.bodyId,
  });
}

export function searchKeys(ctx: AppContext, doc: Request): string[] {
  return [...personTerms(doc.debtor), ...documentTerms([doc.executiveDocument])].map((t) => ctx.sealer.blindIndex(t));
}

export async function writeItems(tx: Tx, requestId: string, doc: Request): Promise<void> {
  await tx.deleteFrom('request_items').where('request_id', '=', requestId).execute();
  const items = itemValues(requestId, doc);
  if (items.length === 0) return;
  await tx.insertInto('request_items').values(items).execute();
}

/** The request's items as stored (with the provisions they ask for, for Article 25). */
export function itemValues(requestId: string, doc: Request): Insertable<RequestItemsTable>[] {
  return (doc.items ?? []).map((item, i) => ({
    request_id: requestId,
    item_no: i + 1,
    kind: item.kind,
    provisions: itemProvisions(item),
  }));
}

/** R11 live check of the wizard: the request as it would be drafted, every problem at once, nothing stored. */
export async function previewDraft(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ document: Request; check: CheckResult }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(DraftRequestInput, input, DRAFT_FIELDS);
  return ctx.db.transaction().execute(async (tx) => {
    const proceeding = await loadProceeding(tx, o, p.proceedingId);
    const document = await buildDocument(tx, ctx, proceeding, p);
    return { document, check: checkDocument(ctx, o, document, await bodyToday(tx, ctx, o.bodyId)) };
  });
}
