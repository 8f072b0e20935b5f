// 035: a transaction's first audit append takes the append lock and reads the log's last entry in one statement
// (issue 16: p99 latency). The lock is held from the first append to the commit, and every other appending
// transaction of the node waits for it: sampled under the load bench, the lock was held 40 % of the time, mostly
// while the holder's Node process came back between statements — the lock granted, then the last entry read, then
// the entries inserted, then the commit, each a round trip and a turn of a busy event loop. A PL/pgSQL function
// that is VOLATILE runs each of its queries with a new snapshot, so the select below sees the entry that the
// transaction it waited for committed (a single SQL statement would read with the snapshot taken before the wait,
// and fork the chain). src/app/audit.ts lockedHead calls it; the events (record-event.ts) still take the lock alone.
import { AUDIT_LOCK } from '../../../app/audit.js';

export const statements: readonly string[] = [
  `create function audit_append_head() returns setof audit_log language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(${AUDIT_LOCK});
  return query select * from audit_log order by seq desc limit 1;
end
$$`,
];
