// The body's enforcement proceedings (a central officer sees the Party's),
// searchable by debtor, id or document number; and one proceeding with its
// requests (the cross-border picture of R4.c is built from their answers).
import Type from 'typebox';
import type { ExecutiveDocument, Person } from '../domain/request.js';
import { CASEWORK_ROLES, bodyScope, canSeeBody, notFound, requestScope, requireRole } from './authorize.js';
import { blindSearch } from './blind-search.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';

export const ListProceedingsInput = Type.Object(
  {
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

export interface ProceedingView {
  id: string;
  bodyId: string;
  number: string;
  openedOn: string;
  debtor: Person;
  creditor: Person;
  executiveDocuments: ExecutiveDocument[];
  createdAt: string;
}

type Row = {
  id: string;
  body_id: string;
  number: string;
  opened_on: string;
  debtor: unknown;
  creditor: unknown;
  executive_documents: unknown[];
  created_at: Date;
};
const view = (r: Row): ProceedingView => ({
  id: r.id,
  bodyId: r.body_id,
  number: r.number,
  openedOn: r.opened_on,
  debtor: r.debtor as Person,
  creditor: r.creditor as Person,
  executiveDocuments: r.executive_documents as ExecutiveDocument[],
  createdAt: r.created_at.toISOString(),
});

export async function listProceedings(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ items: ProceedingView[]; total: number }> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = parseInput(ListProceedingsInput, input);
  let q = ctx.db.selectFrom('proceedings').where(bodyScope(o));
  if (p.query) {
    const cond = blindSearch(ctx, p.query);
    if (!cond) return { items: [], total: 0 };
    q = q.where(cond);
  }
  const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(p.limit ?? 50)
    .offset(p.offset ?? 0)
    .execute();
  return { items: rows.map(view), total };
}

export async function getProceeding(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<ProceedingView & { requests: { id: string; number: string; state: string; counterpartParty: string }[] }> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('proceeding.not_found', id);
  const row = await ctx.db.selectFrom('proceedings').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !canSeeBody(o, row.body_id)) throw notFound('proceeding.not_found', id);
  const requests = await ctx.db
    .selectFrom('requests')
    .select(['id', 'number', 'state', 'counterpart_party'])
    .where('proceeding_id', '=', id)
    .where(requestScope(o)) // R16: confidential requests stay with their body and the central body
    .orderBy('created_at')
    .execute();
  return {
    ...view(row),
    requests: requests.map((r) => ({
      id: r.id,
      number: r.number,
      state: r.state,
      counterpartParty: r.counterpart_party,
    })),
  };
}
