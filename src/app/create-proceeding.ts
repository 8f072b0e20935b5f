// An officer opens (registers) an enforcement proceeding of his body: the
// debtor, the creditor and the executive documents behind later requests (R10.b).
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { ExecutiveDocumentSchema, PersonSchema, REQUEST_FIELD_NAMES } from '../domain/request.js';
import { validateRequest } from '../domain/request-validation.js';
import { documentTerms, numberTerm, personTerms } from '../domain/search.js';
import type { Insertable } from 'kysely';
import type { ProceedingsTable } from '../adapters/db/schema.js';
import type { IsoDate } from '../domain/dates.js';
import type { Problem } from '../domain/problems.js';
import { appendAudit, type AuditFields } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { invalid, parseInput } from './input.js';
import { bodyToday } from './request-record.js';

export const CreateProceedingInput = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 100 }),
    openedOn: Type.String({ format: 'date' }),
    debtor: PersonSchema,
    creditor: PersonSchema,
    executiveDocuments: Type.Array(ExecutiveDocumentSchema, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
);

const FIELDS = {
  ...REQUEST_FIELD_NAMES,
  number: 'номер исполнительного производства',
  openedOn: 'дата возбуждения производства',
  executiveDocuments: 'исполнительные документы',
};

export async function createProceeding(ctx: AppContext, actor: Actor, input: unknown): Promise<{ id: string }> {
  const o = requireRole(actor, 'officer', 'supervisor');
  const p = parseInput(CreateProceedingInput, input, FIELDS);
  const problems = proceedingProblems(p, await bodyToday(ctx.db, ctx, o.bodyId));
  if (problems.length > 0) throw invalid(problems);
  return ctx.db.transaction().execute(async (tx) => {
    const dup = await tx
      .selectFrom('proceedings')
      .select('id')
      .where('body_id', '=', o.bodyId)
      .where('number', '=', p.number)
      .executeTakeFirst();
    if (dup)
      throw new EixError(
        'proceeding.exists',
        { field: 'number', number: p.number },
        `Исполнительное производство № ${p.number} уже зарегистрировано в органе`,
      );
    const row = await tx
      .insertInto('proceedings')
      .values(proceedingValues(ctx, o, p))
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(tx, ctx, o, proceedingAudit(p.number, row.id));
    return { id: row.id };
  });
}

export type NewProceeding = Type.Static<typeof CreateProceedingInput>;

/**
 * The Agreement's content rules for the parties and documents (R11.1.b–d), checked as they will be in every
 * request made from this proceeding.
 */
export function proceedingProblems(p: NewProceeding, today: IsoDate): Problem[] {
  return p.executiveDocuments.flatMap((doc, i) =>
    validateRequest({ debtor: p.debtor, creditor: p.creditor, executiveDocument: doc }, { today })
      .errors.filter(
        (e) =>
          /^(debtor|creditor|executiveDocument)\b/.test(e.path) && (i === 0 || e.path.startsWith('executiveDocument')),
      )
      .map((e) => ({ ...e, path: e.path.replace(/^executiveDocument/, `executiveDocuments[${i}]`) })),
  );
}

/** The stored proceeding with its blind-search keys (the debtor, the creditor's ids, the documents, the number). */
export function proceedingValues(ctx: AppContext, o: Officer, p: NewProceeding): Insertable<ProceedingsTable> {
  const terms = [
    ...personTerms(p.debtor),
    ...personTerms(p.creditor).filter((t) => t.startsWith('id:')),
    ...documentTerms(p.executiveDocuments),
    numberTerm(p.number),
  ];
  return {
    body_id: o.bodyId,
    number: p.number,
    opened_on: p.openedOn,
    debtor: JSON.stringify(p.debtor),
    creditor: JSON.stringify(p.creditor),
    executive_documents: JSON.stringify(p.executiveDocuments),
    search_keys: terms.map((t) => ctx.sealer.blindIndex(t)),
    created_by: o.officerId,
  };
}

/** R9.1: the audit entry of a new proceeding. */
export function proceedingAudit(number: string, proceedingId: string): AuditFields {
  return { action: 'proceeding.create', subject: number, details: { proceedingId } };
}
