// Issue 15.6: the statistics summary of migration 024. The trigger on requests appends each change's difference
// to request_statistics_changes; folding sums them into request_statistics (one short statement, in key order,
// so two folds never wait on each other in a cycle). A reader sums both tables in one statement, so it sees
// every committed change exactly once whether or not it was folded yet.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../adapters/db/schema.js';

export async function foldStatisticsChanges(db: Kysely<DB>): Promise<void> {
  await sql`with moved as (
      delete from request_statistics_changes
      returning month, direction, partner, body_id, fact, value, n
    )
    insert into request_statistics as s (month, direction, partner, body_id, fact, value, n)
    select month, direction, partner, body_id, fact, value, sum(n) from moved
    group by 1, 2, 3, 4, 5, 6
    order by 1, 2, 3, 4, 5, 6
    on conflict (month, direction, partner, body_id, fact, value) do update set n = s.n + excluded.n`.execute(db);
}
