// R9.5: the node's data protection statement; null until an admin sets it.
// Public information: no actor needed.
import type { Tx } from '../ports/store.js';
import type { AppContext } from './context.js';
import { PROTECTION_STATEMENT_KEY, type ProtectionStatement } from './set-protection-statement.js';

/** `tx`: read inside the caller's transaction (the automatic R9.5 answer is composed in the receiving one). */
export async function getProtectionStatement(ctx: AppContext, tx?: Tx): Promise<ProtectionStatement | null> {
  const row = await (tx ?? ctx.db)
    .selectFrom('node_settings')
    .select('value')
    .where('key', '=', PROTECTION_STATEMENT_KEY)
    .executeTakeFirst();
  return row ? (row.value as ProtectionStatement) : null;
}
