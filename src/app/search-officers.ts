// The users list of the administration page (issue 15, item 2): search by login
// or name, a body and a state (active or blocked), a page at a time. An admin
// sees every user of the node's Party, a supervisor those of his own body (as
// list-officers.ts). The password hash and the second-factor secret never leave
// the store: only whether a second factor is connected.
import { sql } from 'kysely';
import Type, { type Static } from 'typebox';
import { EixError } from '../domain/errors.js';
import { OFFICER_COLUMNS, toOfficerView, type OfficerView } from './add-officer.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';

export const OFFICER_STATES = ['active', 'blocked'] as const;
export type OfficerState = (typeof OFFICER_STATES)[number];

/** Users shown on one page of the list. */
export const OFFICERS_PAGE_ROWS = 50;

export const SearchOfficersInput = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    bodyId: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    state: Type.Optional(Type.Union(OFFICER_STATES.map((s) => Type.Literal(s)))),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
export type SearchOfficersInput = Static<typeof SearchOfficersInput>;

export interface OfficerListRow extends OfficerView {
  readonly bodyName: string;
  readonly secondFactor: boolean;
  readonly mustChangePassword: boolean;
  /** A casework grant waits for a second administrator. */
  readonly pendingGrant: boolean;
}

export interface OfficerPage {
  readonly officers: readonly OfficerListRow[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
}

/** `%` and `_` typed by the user are searched as themselves. */
const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function searchOfficers(ctx: AppContext, actor: Actor, input: unknown = {}): Promise<OfficerPage> {
  const o = requireRole(actor, 'admin', 'supervisor');
  const v = parseInput(SearchOfficersInput, input, {
    q: 'поиск',
    bodyId: 'орган',
    state: 'состояние',
    page: 'страница',
  });
  let bodyId = v.bodyId;
  if (!o.roles.includes('admin')) {
    if (bodyId !== undefined && bodyId !== o.bodyId)
      throw new EixError('access.denied', { field: 'bodyId' }, 'Руководитель видит только пользователей своего органа');
    bodyId = o.bodyId;
  }
  let q = ctx.db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .where('bodies.party', '=', ctx.party);
  if (bodyId !== undefined) q = q.where('officers.body_id', '=', bodyId);
  if (v.state === 'active') q = q.where('officers.disabled_at', 'is', null);
  if (v.state === 'blocked') q = q.where('officers.disabled_at', 'is not', null);
  const text = v.q?.trim();
  if (text) {
    const p = likePattern(text);
    q = q.where((eb) =>
      eb.or([eb(sql<string>`officers.login`, 'ilike', p), eb(sql<string>`officers.full_name`, 'ilike', p)]),
    );
  }
  const total = Number((await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const pages = Math.max(1, Math.ceil(total / OFFICERS_PAGE_ROWS));
  const page = Math.min(v.page ?? 1, pages);
  const rows = await q
    .select(OFFICER_COLUMNS.map((c) => `officers.${c}` as const))
    .select([
      'bodies.name as body_name',
      'officers.password_must_change',
      sql<boolean>`officers.totp_enabled_at is not null`.as('second_factor'),
      sql<boolean>`exists (select 1 from role_grants g where g.officer_id = officers.id and g.status = 'pending')`.as(
        'pending_grant',
      ),
    ])
    .orderBy('officers.login')
    .limit(OFFICERS_PAGE_ROWS)
    .offset((page - 1) * OFFICERS_PAGE_ROWS)
    .execute();
  return {
    officers: rows.map((r) => ({
      ...toOfficerView(r),
      bodyName: r.body_name,
      secondFactor: Boolean(r.second_factor),
      mustChangePassword: r.password_must_change,
      pendingGrant: Boolean(r.pending_grant),
    })),
    total,
    page,
    pages,
  };
}
