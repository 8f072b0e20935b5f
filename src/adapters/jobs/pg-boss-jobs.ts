// Scheduled and queued work (pg-boss 10) on the node's own database — the same
// on PGlite and PostgreSQL, because pg-boss runs its SQL through Kysely (one
// connection queue on PGlite; SKIP LOCKED shares work between processes on
// PostgreSQL).
//
// Several processes of one node may share a PostgreSQL database. pg-boss 10
// races with itself when they start together (its install and create_queue
// deadlock or hit "already exists"), and a failed multi-statement
// `BEGIN; …` of pg-boss would leave its pooled connection inside an aborted
// transaction, failing the next use case that borrows it. So the start-up runs
// under a session advisory lock, and every pg-boss statement runs on one
// connection that is rolled back when the statement fails.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from '../db/database.js';

export interface Jobs {
  stop(): Promise<void>;
}

export interface JobDefinition {
  readonly name: string;
  /** Cron expression in UTC. */
  readonly cron: string;
  readonly handler: () => Promise<unknown>;
}

/** One pg-boss statement on one connection; a failed explicit transaction is rolled back before the connection returns to the pool. */
export function bossExecutor(db: Kysely<unknown>) {
  return (text: string, values?: unknown[]) =>
    db.connection().execute(async (c) => {
      try {
        return await c.executeQuery(CompiledQuery.raw(text, values ?? []));
      } catch (e) {
        if (/^\s*begin\b/i.test(text)) await c.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
        throw e;
      }
    });
}

/** Runs `fn` while holding a session advisory lock named `key` (PostgreSQL); PGlite has one process and one connection, so no lock. */
async function exclusively<T>(database: Database, key: string, fn: () => Promise<T>): Promise<T> {
  if (database.engine !== 'postgres') return fn();
  return database.db.connection().execute(async (c) => {
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(c);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(c);
    }
  });
}

/** Starts the queue and the given scheduled jobs. */
export async function startJobs(
  database: Database,
  jobs: readonly JobDefinition[],
  onError: (e: Error) => void,
): Promise<Jobs> {
  const schema = database.schema ? `${database.schema}_pgboss` : 'pgboss';
  const boss = new PgBoss({
    db: { executeSql: bossExecutor(database.db as Kysely<unknown>) },
    schema,
    monitorStateIntervalSeconds: 60,
  });
  boss.on('error', onError);
  await exclusively(database, `eix.jobs.${schema}`, async () => {
    await boss.start();
    for (const j of jobs) {
      await boss.createQueue(j.name);
      await boss.schedule(j.name, j.cron, {}, { tz: 'UTC', singletonKey: j.name });
    }
  });
  for (const j of jobs) {
    await boss.work(j.name, { pollingIntervalSeconds: 10 }, async () => {
      await j.handler();
    });
  }
  return {
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
  };
}
