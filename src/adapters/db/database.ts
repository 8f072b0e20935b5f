// Opens the node database on one of two engines with the same SQL:
// PGlite in a directory (embedded default) or PostgreSQL 15 via `pg`
// (EIX_DATABASE_URL). Migrations are forward-only and run at open.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { EixError } from '../../domain/errors.js';
import { tightenTree } from '../fs/permissions.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './schema.js';
import type { TableMaintenance } from '../../app/context.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-list-indexes.js';
import * as m003 from './migrations/003-outbox-signed.js';
import * as m004 from './migrations/004-sessions.js';
import * as m005 from './migrations/005-outbox-claimed-by.js';
import * as m006 from './migrations/006-receiving.js';
import * as m007 from './migrations/007-article-9-exchange.js';
import * as m008 from './migrations/008-protocol-versions.js';
import * as m009 from './migrations/009-retention-life-cycle.js';
import * as m010 from './migrations/010-paper-originals-both-ways.js';
import * as m011 from './migrations/011-audit-keyed.js';
import * as m012 from './migrations/012-session-idle-token-expiry.js';
import * as m013 from './migrations/013-duties-second-factor.js';
import * as m014 from './migrations/014-events.js';
import * as m015 from './migrations/015-work-queue.js';
import * as m016 from './migrations/016-letterhead-paper-codes.js';
import * as m017 from './migrations/017-outbox-last-attempt.js';
import * as m018 from './migrations/018-audit-filters.js';
import * as m019 from './migrations/019-bundle-receipts.js';
import * as m020 from './migrations/020-statistics.js';
import * as m021 from './migrations/021-requests-toast.js';
import * as m022 from './migrations/022-batches.js';
import * as m023 from './migrations/023-event-feed-webhooks.js';
import * as m024 from './migrations/024-statistics-summary.js';
import * as m025 from './migrations/025-answer-drafts.js';
import * as m026 from './migrations/026-registry-versions.js';
import * as m027 from './migrations/027-mail-notices.js';
import * as m028 from './migrations/028-exactly-once-counters.js';
import * as m029 from './migrations/029-jws-headers.js';
import * as m030 from './migrations/030-statistics-per-statement.js';
import * as m031 from './migrations/031-outbox-due.js';
import * as m032 from './migrations/032-statistics-changed-rows.js';
import * as m033 from './migrations/033-gin-pending-lists.js';
import * as m034 from './migrations/034-statistics-facts-inlined.js';
import * as m035 from './migrations/035-audit-append-head.js';
import * as m036 from './migrations/036-audit-hash-not-indexed.js';
import { WrittenTablesPlugin } from './written-tables.js';

export type Engine = 'pglite' | 'postgres';

export interface Database {
  readonly db: Kysely<DB>;
  /** PostgreSQL schema in use, when not the default. */
  readonly schema?: string;
  readonly engine: Engine;
  /** Where the data lives: a directory (PGlite) or the URL without credentials (PostgreSQL). */
  readonly location: string;
  /**
   * PostgreSQL: connections of their own for the exchange with other nodes (the outbox worker, the federation
   * endpoint), so that deliveries and receipts do not wait behind the officers' and the API's work in the main
   * pool (issue 16: under load, delivery starved behind request creation). PGlite has one connection: absent.
   */
  readonly federationDb?: Kysely<DB>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for PostgreSQL; otherwise `dir` is used with PGlite. */
  readonly url?: string | undefined;
  readonly dir?: string | undefined;
  /** PostgreSQL schema to use (created if missing); tests isolate runs with it. */
  readonly schema?: string | undefined;
  readonly migrate?: boolean;
  /** PGlite: how often to look for tables to vacuum and analyse (default PGLITE_VACUUM_MS; 0: never). PostgreSQL has autovacuum. */
  readonly vacuumEveryMs?: number | undefined;
  /** TLS to PostgreSQL with libpq's sslmode meaning (EIX_DATABASE_SSL, EIX_DATABASE_SSL_CA); the URL decides otherwise. */
  readonly ssl?: PostgresSsl | null | undefined;
}

/**
 * Where a new embedded database may start from: an archive (PGlite `dumpDataDir`) of a data directory already
 * migrated, or null for PostgreSQL's initdb. Only the tests set it (test/support/db.ts): initdb of a fresh PGlite
 * takes seconds of CPU (a third of the suite's time went to it), loading a tarball a fraction of that. A database
 * opened with `migrate: false` (a migration test) or a directory that already holds data never uses it.
 */
let newEmbeddedDatabasesFrom: (() => Promise<Blob>) | null = null;

export function startNewEmbeddedDatabasesFrom(archive: (() => Promise<Blob>) | null): void {
  newEmbeddedDatabasesFrom = archive;
}

export interface PostgresSsl {
  readonly mode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  /** PEM file of the CA(s) of the server certificate (verify-ca, verify-full); the system store otherwise. */
  readonly caFile?: string | null | undefined;
}

/**
 * `pg`'s ssl option for a libpq sslmode: require encrypts without checking the
 * certificate, verify-ca checks the chain, verify-full the chain and the host
 * name (Node's default check; pg sends the host as SNI). Never a plain-text fallback.
 */
export async function postgresSslOptions(ssl: PostgresSsl): Promise<false | ConnectionOptions> {
  if (ssl.mode === 'disable') return false;
  if (ssl.mode === 'require') return { rejectUnauthorized: false };
  let ca: string | undefined;
  if (ssl.caFile) {
    try {
      ca = await readFile(ssl.caFile, 'utf8');
    } catch {
      throw new EixError(
        'storage.tls',
        { field: 'EIX_DATABASE_SSL_CA', file: ssl.caFile },
        `Переменная EIX_DATABASE_SSL_CA: не удалось прочитать файл ${ssl.caFile}`,
      );
    }
  }
  return {
    rejectUnauthorized: true,
    ...(ca ? { ca } : {}),
    ...(ssl.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** A failed TLS set-up with PostgreSQL as storage.tls naming EIX_DATABASE_SSL; anything else as it is. */
function tlsFailure(e: unknown, mode: string): unknown {
  const err = e as { message?: string; code?: string };
  const message = err.message ?? '';
  const reason = /does not support SSL/i.test(message)
    ? 'сервер PostgreSQL не поддерживает TLS (ssl = off); соединение без шифрования не устанавливается'
    : /certificate|self.signed|altname|issuer|CERT_|SSL|TLS/i.test(`${err.code ?? ''} ${message}`)
      ? `сертификат сервера PostgreSQL не прошёл проверку (${err.code ?? message})`
      : null;
  if (reason === null) return e;
  return new EixError(
    'storage.tls',
    { field: 'EIX_DATABASE_SSL', mode, reason: err.code ?? message },
    `EIX_DATABASE_SSL=${mode}: ${reason}`,
  );
}

const MIGRATIONS: Record<string, readonly string[]> = {
  '001-initial': m001.statements,
  '002-list-indexes': m002.statements,
  '003-outbox-signed': m003.statements,
  '004-sessions': m004.statements,
  '005-outbox-claimed-by': m005.statements,
  '006-receiving': m006.statements,
  '007-article-9-exchange': m007.statements,
  '008-protocol-versions': m008.statements,
  '009-retention-life-cycle': m009.statements,
  '010-paper-originals-both-ways': m010.statements,
  '011-audit-keyed': m011.statements,
  '012-session-idle-token-expiry': m012.statements,
  '013-duties-second-factor': m013.statements,
  '014-events': m014.statements,
  '015-work-queue': m015.statements,
  '016-letterhead-paper-codes': m016.statements,
  '017-outbox-last-attempt': m017.statements,
  '018-audit-filters': m018.statements,
  '019-bundle-receipts': m019.statements,
  '020-statistics': m020.statements,
  '021-requests-toast': m021.statements,
  '022-batches': m022.statements,
  '023-event-feed-webhooks': m023.statements,
  '024-statistics-summary': m024.statements,
  '025-answer-drafts': m025.statements,
  '026-registry-versions': m026.statements,
  '027-mail-notices': m027.statements,
  '028-exactly-once-counters': m028.statements,
  '029-jws-headers': m029.statements,
  '030-statistics-per-statement': m030.statements,
  '031-outbox-due': m031.statements,
  '032-statistics-changed-rows': m032.statements,
  '033-gin-pending-lists': m033.statements,
  '034-statistics-facts-inlined': m034.statements,
  '035-audit-append-head': m035.statements,
  '036-audit-hash-not-indexed': m036.statements,
};

const provider: MigrationProvider = {
  getMigrations: async () =>
    Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, statements]): [string, Migration] => [
        name,
        {
          up: async (db) => {
            for (const s of statements) await sql.raw(s).execute(db);
          },
        },
      ]),
    ),
};

// bigint (int8) as string, dates as ISO strings (no time-zone shifts); same as PGlite below.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/** On every connection: the tables a request wrote, so that only the workers taking them are woken. */
const PLUGINS = [new WrittenTablesPlugin()];

/** Connections per node process on PostgreSQL: the main pool, and the exchange's own (federationDb). */
const POOL_CONNECTIONS = 10;
const FEDERATION_CONNECTIONS = 4;

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  let database: Database;
  if (opts.url) {
    if (!/^postgres(ql)?:\/\//.test(opts.url))
      throw new EixError(
        'input.invalid',
        { field: 'EIX_DATABASE_URL' },
        'EIX_DATABASE_URL должен начинаться с postgres://',
      );
    const schema = opts.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new EixError('input.invalid', { field: 'schema' }, 'Неверное имя схемы');
    const ssl = opts.ssl ? await postgresSslOptions(opts.ssl) : undefined;
    const newPool = (max: number) => {
      const pool = new pg.Pool({
        connectionString: opts.url,
        max,
        ...(schema ? { options: `-c search_path=${schema}` } : {}),
        ...(ssl !== undefined ? { ssl } : {}),
      });
      // A connection the server ends (restart, failover, idle timeout) must not
      // crash the node: the pool drops it and opens a new one; a query running on
      // it fails and its use case's transaction is rolled back by PostgreSQL.
      pool.on('error', () => undefined);
      pool.on('connect', (client) => {
        client.on('error', () => undefined);
      });
      return pool;
    };
    const pool = newPool(POOL_CONNECTIONS);
    if (schema || (opts.ssl && opts.ssl.mode !== 'disable')) {
      // With TLS required, the first connection shows at once whether the server offers it (fail closed).
      let c: pg.PoolClient;
      try {
        c = await pool.connect();
      } catch (e) {
        await pool.end().catch(() => undefined);
        throw opts.ssl ? tlsFailure(e, opts.ssl.mode) : e;
      }
      try {
        if (schema) await c.query(`create schema if not exists ${schema}`);
      } finally {
        c.release();
      }
    }
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: PLUGINS });
    const federationDb = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: newPool(FEDERATION_CONNECTIONS) }),
      plugins: PLUGINS,
    });
    const u = new URL(opts.url);
    database = {
      db,
      federationDb,
      engine: 'postgres',
      ...(schema ? { schema } : {}),
      location: `${u.protocol}//${u.host}${u.pathname}${schema ? `#${schema}` : ''}`,
      close: async () => {
        await federationDb.destroy();
        await db.destroy();
      },
    };
  } else {
    const dir = opts.dir;
    // The data directory is the node's alone (0700); PGlite creates its files 0666, so they are tightened too.
    if (dir) await mkdir(dir, { recursive: true, mode: 0o700 });
    const unlock = dir ? await lockDirectory(dir) : async () => undefined;
    const archive =
      newEmbeddedDatabasesFrom && opts.migrate !== false && !(dir && (await hasData(dir)))
        ? await newEmbeddedDatabasesFrom()
        : undefined;
    const options = {
      parsers: { 1082: (v: string) => v },
      startParams: [...PGlite.defaultStartParams, ...PGLITE_WAL, ...PGLITE_MEMORY],
      ...(archive ? { loadDataDir: archive } : {}),
    };
    const pglite = dir ? await PGlite.create(dir, options) : await PGlite.create(options);
    const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), plugins: PLUGINS });
    const vacuum = startVacuum(db, opts.vacuumEveryMs ?? PGLITE_VACUUM_MS);
    database = {
      db,
      engine: 'pglite',
      location: dir ?? 'memory://',
      close: async () => {
        await vacuum.stop();
        await db.destroy();
        // Files PGlite created while running (0666) are tightened as well; the directory was 0700 meanwhile.
        if (dir) await tightenTree(dir).catch(() => undefined);
        await unlock();
      },
    };
  }
  if (opts.migrate !== false) await migrate(database.db, opts.url ? opts.schema : undefined);
  if (!opts.url && opts.dir) await tightenTree(opts.dir);
  return database;
}

const hasData = (dir: string) =>
  readFile(path.join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );

/**
 * The embedded engine's write-ahead log, bounded (issue 16, item 4). PGlite runs PostgreSQL as a single
 * process: a checkpoint is taken when the log reaches max_wal_size, and the segments a checkpoint frees are
 * kept for reuse only up to min_wal_size (PostgreSQL's defaults, 1 GB and 80 MB, let the directory grow by a
 * gigabyte of log; measured: 60 % of the directory's growth under the soak was log).
 */
const PGLITE_WAL = ['-c', 'max_wal_size=64MB', '-c', 'min_wal_size=32MB'];

/**
 * The embedded engine's shared buffers live in the node process's WebAssembly memory, which never shrinks:
 * PostgreSQL's default of 128 MB, once touched, is 128 MB of the process's RSS for good (issue 16 item 4:
 * a node process below 400 MB). 32 MB keeps the hot pages (the work queue's indexes, the outbox, the audit
 * log's tail); the rest is read through the operating system's page cache. Measured: a process that wrote
 * 20,000 rows of 1 kB held 361 MB RSS with the default, 244 MB with this.
 */
// maintenance_work_mem: what VACUUM allocates for the dead rows' ids (default 64 MB), kept in the WebAssembly memory
// for good once a large VACUUM used it; 16 MB makes a VACUUM of many dead rows take another pass over the indexes.
// default_statistics_target: ANALYZE reads a sample of 300 × this many whole rows into the engine's memory, which
// keeps its high-water mark for good. With PostgreSQL's default of 100 the embedded node's maintenance pass
// (maintainEmbedded) grew it by 57 MB at once under the load bench (the requests' documents are wide rows): the
// requesting node then stayed above 400 MB RSS after its first pass. 20 samples 6,000 rows (an ANALYZE of 60,000
// rows of 1.3 kB: +63 MB at 100, +12 MB at 20; docs/PERFORMANCE.md); a small Party's tables need no finer histogram.
const PGLITE_MEMORY = [
  '-c',
  'shared_buffers=32MB',
  '-c',
  'wal_buffers=1MB',
  '-c',
  'maintenance_work_mem=16MB',
  '-c',
  'default_statistics_target=20',
];

/**
 * How often the embedded engine looks for tables to vacuum and analyse (it has no autovacuum). Every 30 s, as
 * autovacuum's nap, cost a node on the embedded engine a third of its CPU per request in the load bench, where
 * every table grows by more than a tenth between two passes (docs/PERFORMANCE.md).
 */
export const PGLITE_VACUUM_MS = 5 * 60_000;

/**
 * The tables autovacuum would take now, by PostgreSQL's default thresholds: VACUUM past 50 + 20 % of the table
 * in dead rows or 1,000 + 20 % in rows inserted since the last one; ANALYZE past 50 + 10 % in rows changed.
 */
const DUE_FOR_MAINTENANCE = sql<{ name: string; vacuum: boolean; analyze: boolean }>`
  select quote_ident(s.schemaname) || '.' || quote_ident(s.relname) as name,
    (s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
      or s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0)) as vacuum,
    s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) as analyze
  from pg_stat_user_tables s join pg_class c on c.oid = s.relid
  order by 1`;

/**
 * Who keeps the tables vacuumed and analysed: on the embedded engine the node itself (maintainEmbedded); on
 * PostgreSQL the server's autovacuum, which needs the statistics collector's counts (`track_counts`) too.
 */
export async function tableMaintenance(database: Database): Promise<TableMaintenance> {
  if (database.engine === 'pglite') return 'embedded';
  const r = await sql<{ name: string; setting: string }>`
    select name, setting from pg_settings where name in ('autovacuum', 'track_counts')`.execute(database.db);
  return r.rows.length === 2 && r.rows.every((x) => x.setting === 'on') ? 'autovacuum' : 'off';
}

/**
 * One pass of what autovacuum does on PostgreSQL, for the embedded engine: each table past autovacuum's
 * thresholds is vacuumed (the space of the row versions updates leave behind is reused) and analysed (the
 * planner's statistics follow the table's growth). A table nobody wrote to is left alone: a VACUUM or ANALYZE of
 * an empty table records it as empty, and every plan cached until the next one — the foreign-key checks' above
 * all — would then read the whole table for each row of a burst (docs/PERFORMANCE.md).
 */
export async function maintainEmbedded(db: Kysely<DB>): Promise<{ vacuumed: string[]; analysed: string[] }> {
  const vacuumed: string[] = [];
  const analysed: string[] = [];
  // The one backend's own counts reach the statistics views at its next idle moment, which a busy single-user
  // engine may not have had: flushed first.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  for (const t of (await DUE_FOR_MAINTENANCE.execute(db)).rows) {
    if (!t.vacuum && !t.analyze) continue;
    const what = t.vacuum && t.analyze ? sql`vacuum (analyze)` : t.vacuum ? sql`vacuum` : sql`analyze`;
    await sql`${what} ${sql.raw(t.name)}`.execute(db);
    if (t.vacuum) vacuumed.push(t.name);
    if (t.analyze) analysed.push(t.name);
  }
  return { vacuumed, analysed };
}

/**
 * PGlite has no autovacuum (nor any background process): without a VACUUM the dead row versions every
 * update leaves are never reused and the planner's statistics never refreshed. A timer does what
 * autovacuum does on PostgreSQL (maintainEmbedded), queued with the other statements on the one connection
 * (a VACUUM takes as long as the pages changed since the last one).
 */
function startVacuum(db: Kysely<DB>, everyMs: number): { stop(): Promise<void> } {
  if (!(everyMs > 0)) return { stop: async () => undefined };
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= maintainEmbedded(db)
      .catch(() => undefined)
      .finally(() => (running = null));
  }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same
 * directory would corrupt it. A lock file with the owner's pid refuses that
 * (a stale lock of a dead process is taken over).
 */
async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, 'eix.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch {
      const pid = Number(await readFile(file, 'utf8').catch(() => '0'));
      const alive =
        pid > 0 &&
        pid !== process.pid &&
        (() => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        })();
      if (alive || pid === process.pid) {
        throw new EixError(
          'node.busy',
          { field: 'EIX_HOME', pid },
          `База данных узла уже открыта процессом ${pid}; остановите его (встроенную базу может открывать только один процесс)`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new EixError('node.busy', { field: 'EIX_HOME' });
}

/** The codes of a catalog look that met another schema's drop: undefined schema, table, column. */
const CATALOG_RACE = new Set(['3F000', '42P01', '42703']);

/** Runs pending forward-only migrations; returns the names applied now. */
export async function migrate(db: Kysely<DB>, schema?: string): Promise<string[]> {
  // With a schema, the migration tables live in it (introspection would
  // otherwise find another schema's tables on the same database).
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    // Kysely's migrator looks for its tables through every schema of the database (has_schema_privilege by
    // name, pg_get_serial_sequence per column): a schema another user drops meanwhile fails that look with 3F000,
    // 42P01 or 42703 naming the other schema's objects — several nodes or test files in schemas of one database.
    // Such a failure before any migration ran (no results) migrated nothing; the look is made again.
    if (error && results === undefined && CATALOG_RACE.has((error as { code?: string }).code ?? '') && attempt < 50)
      continue;
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }
}
