// Who holds the audit log's lock, and doing what (issue 16; ARCHITECTURE decision 56). The lock is where every
// writing transaction of a node queues; a session of its own asks PostgreSQL every few milliseconds which backend
// holds it (pg_locks) and what that backend is doing (pg_stat_activity: running a statement, or idle in its
// transaction — waiting for its node process — after the statement named). Used by the load bench when
// EIX_LOAD_LOCK_SAMPLES=1 (PostgreSQL only: the samples cost the server a query each, so it is off by default).
import pg from 'pg';
import { AUDIT_LOCK } from '../../src/app/audit.js';

export interface LockSamples {
  readonly samples: number;
  /** Per database: the share of samples in which a backend of it held the lock, and the backends waiting. */
  readonly byDatabase: Record<string, { held: number; waiting: number; states: [string, number][] }>;
}

export function sampleAuditLock(url: string, everyMs = 3): { stop(): Promise<LockSamples> } {
  const client = new pg.Client({ connectionString: url });
  let stopped = false;
  let samples = 0;
  const by: Record<string, { held: number; waiting: number; states: Map<string, number> }> = {};
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const r = await client.query<{ datname: string; state: string; granted: boolean; query: string }>(
        `select a.datname, a.state, l.granted, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 60) as query
           from pg_locks l join pg_stat_activity a using (pid)
          where l.locktype = 'advisory' and l.objid = $1`,
        [AUDIT_LOCK],
      );
      samples += 1;
      for (const row of r.rows) {
        const d = (by[row.datname] ??= { held: 0, waiting: 0, states: new Map() });
        if (!row.granted) {
          d.waiting += 1;
          continue;
        }
        d.held += 1;
        const key = `${row.state === 'active' ? 'running' : 'idle after'}: ${row.query}`;
        d.states.set(key, (d.states.get(key) ?? 0) + 1);
      }
      await new Promise((s) => setTimeout(s, everyMs));
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const byDatabase: LockSamples['byDatabase'] = {};
      for (const [db, d] of Object.entries(by))
        byDatabase[db] = {
          held: d.held / samples,
          waiting: d.waiting / samples,
          states: [...d.states].sort((a, b) => b[1] - a[1]).slice(0, 4),
        };
      return { samples, byDatabase };
    },
  };
}
