// The search box over the blind index (keyed hashes of name parts, ids and
// numbers): a condition on `search_keys`, or null when the query has no term.
import { sql, type RawBuilder } from 'kysely';
import { queryTerms } from '../domain/search.js';
import type { AppContext } from './context.js';

export function blindSearch(ctx: AppContext, query: string): RawBuilder<boolean> | null {
  const t = queryTerms(query);
  const keys = ('any' in t ? t.any : t.all).map((x) => ctx.sealer.blindIndex(x));
  if (keys.length === 0) return null;
  const arr = sql<string[]>`${sql.val(keys)}::text[]`;
  // A number matches any of its readings; a name needs every part.
  return 'any' in t ? sql<boolean>`search_keys && ${arr}` : sql<boolean>`search_keys @> ${arr}`;
}
