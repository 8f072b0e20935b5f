// R9.5: the node's data protection statement; null until an admin sets it.
// Public information: no actor needed.
import type { AppContext } from './context.js';
import { PROTECTION_STATEMENT_KEY, type ProtectionStatement } from './set-protection-statement.js';

export async function getProtectionStatement(ctx: AppContext): Promise<ProtectionStatement | null> {
  const row = await ctx.db
    .selectFrom('node_settings')
    .select('value')
    .where('key', '=', PROTECTION_STATEMENT_KEY)
    .executeTakeFirst();
  return row ? (row.value as ProtectionStatement) : null;
}
