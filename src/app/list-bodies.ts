// The node's bodies, for any authenticated actor (they are not personal data).
import type { Actor, AppContext } from './context.js';
import { toBodyView, type BodyView } from './add-body.js';

export async function listBodies(ctx: AppContext, _actor: Actor): Promise<BodyView[]> {
  const rows = await ctx.db.selectFrom('bodies').selectAll().where('party', '=', ctx.party).orderBy('id').execute();
  return rows.map(toBodyView);
}
