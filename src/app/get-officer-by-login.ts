// The officer the server console acts for (`eix pdf … --login`): an active
// user of a body of this node's Party, with the officer's own visibility rules.
import { EixError } from '../domain/errors.js';
import type { AppContext, Officer } from './context.js';
import { OFFICER_COLUMNS, toOfficer } from './authenticate.js';

export async function getOfficerByLogin(ctx: AppContext, login: unknown): Promise<Officer> {
  const l = typeof login === 'string' ? login.trim().toLowerCase() : '';
  if (!l) throw new EixError('input.invalid', { field: '--login' }, 'Не указано имя входа пользователя (--login)');
  const r = await ctx.db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select(OFFICER_COLUMNS)
    .where('officers.login', '=', l)
    .where('bodies.party', '=', ctx.party)
    .executeTakeFirst();
  if (!r)
    throw new EixError('officer.not_found', { field: '--login', login: l }, `Пользователь ${l} не найден (--login)`);
  if (r.disabled_at)
    throw new EixError('access.denied', { field: '--login', login: l }, `Учётная запись ${l} отключена (--login)`);
  return toOfficer(r);
}
