// Scheduled and queued work (pg-boss 10) on the node's own database — the same
// on PGlite and PostgreSQL, because pg-boss runs its SQL through Kysely (one
// connection queue on PGlite; SKIP LOCKED shares work between processes on
// PostgreSQL).
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Store } from '../../ports/store.js';

export interface Jobs {
  /** Runs `handler` on `cron` (UTC) and on demand through `run`. */
  schedule(name: string, cron: string, handler: () => Promise<unknown>): Promise<void>;
  run(name: string): Promise<string | null>;
  stop(): Promise<void>;
}

export async function startJobs(db: Store, onError: (e: Error) => void, dbSchema?: string): Promise<Jobs> {
  const boss = new PgBoss({
    db: {
      executeSql: async (text: string, values?: unknown[]) => db.executeQuery(CompiledQuery.raw(text, values ?? [])),
    },
    schema: dbSchema ? `${dbSchema}_pgboss` : 'pgboss',
    monitorStateIntervalSeconds: 60,
  });
  boss.on('error', onError);
  await boss.start();
  return {
    async schedule(name, cron, handler) {
      await boss.createQueue(name);
      await boss.schedule(name, cron, {}, { tz: 'UTC', singletonKey: name });
      await boss.work(name, { pollingIntervalSeconds: 10 }, async () => {
        await handler();
      });
    },
    run: (name) => boss.send(name, {}, { singletonKey: `${name}-manual` }),
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
  };
}
