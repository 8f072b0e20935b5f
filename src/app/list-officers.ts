// Users of the node: an admin sees all, a supervisor those of his own body.
// The password hash never leaves the store.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import { OFFICER_COLUMNS, toOfficerView, type OfficerView } from './add-officer.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export const ListOfficersInput = Type.Object(
  {
    bodyId: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  },
  { additionalProperties: false },
);

export async function listOfficers(ctx: AppContext, actor: Actor, input: unknown = {}): Promise<OfficerView[]> {
  // ARCHITECTURE 12: the role before the input.
  const supervisor =
    actor.kind === 'officer' && !actor.roles.includes('admin') ? requireRole(actor, 'supervisor') : null;
  const problems = checkSchema(ListOfficersInput, input, { bodyId: 'орган' });
  const first = problems[0];
  if (first) throw new EixError('input.invalid', { field: first.path, problems }, `${first.path}: ${first.message}`);
  const { bodyId } = input as { bodyId?: string };
  let onlyBody: string | undefined = bodyId;
  if (supervisor) {
    if (bodyId !== undefined && bodyId !== supervisor.bodyId)
      throw new EixError('access.denied', { field: 'bodyId' }, 'Руководитель видит только пользователей своего органа');
    onlyBody = supervisor.bodyId;
  }
  let q = ctx.db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select(OFFICER_COLUMNS.map((c) => `officers.${c}` as const))
    .where('bodies.party', '=', ctx.party);
  if (onlyBody !== undefined) q = q.where('officers.body_id', '=', onlyBody);
  return (await q.orderBy('officers.login').execute()).map(toOfficerView);
}
