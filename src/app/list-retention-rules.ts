// R9.6: the retention periods in force, per requesting Party and kind of data.
import type { Actor, AppContext } from './context.js';
import { toRetentionRule, type RetentionRule } from './set-retention-rule.js';

export async function listRetentionRules(ctx: AppContext, _actor: Actor): Promise<RetentionRule[]> {
  return (await ctx.db.selectFrom('retention_rules').selectAll().orderBy('party').orderBy('kind').execute()).map(
    toRetentionRule,
  );
}
