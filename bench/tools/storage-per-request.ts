// Storage per exchanged request, by table (indexes and TOAST included), on
// both nodes: N requests drafted, signed, delivered and receipted between two
// in-process nodes (PGlite, or PostgreSQL with EIX_STORAGE_PG=1), a CHECKPOINT,
// then pg_total_relation_size of every table before and after, divided by N.
// The worker delivers every 16 requests (bundles, one bundle receipt for many); EIX_STORAGE_ALONE=1: after
// each request (each message alone, with a receipt of its own on both nodes).
//   node --import tsx bench/tools/storage-per-request.ts [count]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Store } from '../../src/ports/store.js';
import { aRequest } from '../../test/support/requests.js';
import { officer, startTestFederation } from '../../test/support/federation.js';

const count = Number(process.argv[2] ?? 500);
const PG = 'postgres://postgres@127.0.0.1:5432';
const usePg = process.env.EIX_STORAGE_PG === '1';
const dbs = ['eix_storage_ru', 'eix_storage_kz', 'eix_storage_by'];
async function admin(q: string) {
  const c = new pg.Client({ connectionString: `${PG}/postgres` });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}
if (usePg) for (const d of dbs) await admin(`drop database if exists ${d}`).then(() => admin(`create database ${d}`));

const vacuumEvery = Number(process.env.EIX_STORAGE_VACUUM ?? 0);
const alone = process.env.EIX_STORAGE_ALONE === '1';
async function sizes(db: Store): Promise<Map<string, number>> {
  if (vacuumEvery) await sql`vacuum`.execute(db);
  await sql`checkpoint`.execute(db);
  const r = await sql<{ t: string; n: string }>`
    select c.relname as t, pg_total_relation_size(c.oid)::text as n from pg_class c
    join pg_namespace s on s.oid = c.relnamespace
    where c.relkind = 'r' and s.nspname = current_schema()
    union all
    select c.relname || ' (heap)', pg_relation_size(c.oid)::text from pg_class c
    join pg_namespace s on s.oid = c.relnamespace
    where c.relkind = 'r' and s.nspname = current_schema()
    union all
    select c.relname || ' (toast)', coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)::text from pg_class c
    join pg_namespace s on s.oid = c.relnamespace
    where c.relkind = 'r' and s.nspname = current_schema()
    union all
    select c.relname || ' (indexes)', pg_indexes_size(c.oid)::text from pg_class c
    join pg_namespace s on s.oid = c.relnamespace
    where c.relkind = 'r' and s.nspname = current_schema()`.execute(db);
  const m = new Map(r.rows.map((x) => [x.t, Number(x.n)]));
  const all = await sql<{ n: string }>`select pg_database_size(current_database())::text as n`.execute(db);
  m.set('(database)', Number(all.rows[0]!.n));
  return m;
}

const fed = await startTestFederation(
  usePg ? { databaseUrls: { RU: `${PG}/${dbs[0]}`, KZ: `${PG}/${dbs[1]}`, BY: `${PG}/${dbs[2]}` } } : {},
);
try {
  const ctx = fed.nodes.RU.wired.ctx;
  const kz = fed.nodes.KZ.wired.ctx;
  const o = await officer(fed.nodes.RU, 'ru.officer');
  const ex = aRequest();
  const { id: proceedingId } = await createProceeding(ctx, o, {
    number: 'STORAGE-1',
    openedOn: '2026-03-02',
    debtor: ex.debtor,
    creditor: ex.creditor,
    executiveDocuments: [ex.executiveDocument],
  });
  const one = async () => {
    const d = await draftRequest(ctx, o, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник проживает в Республике Казахстан.',
    });
    await signRequest(ctx, o, { requestId: d.id });
  };
  for (let i = 0; i < 20; i++) await one();
  await fed.nodes.RU.worker!.drain();
  const du = (dir: string): number => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) * 1024;
  const dirs = ['ru', 'kz'].map((p) => path.join(fed.dir, p, 'db'));
  const before = [await sizes(ctx.db), await sizes(kz.db)];
  const duBefore = usePg ? 0 : dirs.reduce((a, d) => a + du(d), 0);
  for (let i = 0; i < count; i++) {
    await one();
    if (alone || i % 16 === 15) await fed.nodes.RU.worker!.drain();
    // What a node would do on a schedule (PGlite has no autovacuum): dead row versions become reusable.
    if (vacuumEvery && i % vacuumEvery === vacuumEvery - 1) {
      await sql`vacuum`.execute(ctx.db);
      await sql`vacuum`.execute(kz.db);
    }
  }
  await fed.nodes.RU.worker!.drain();
  const after = [await sizes(ctx.db), await sizes(kz.db)];
  if (!usePg) {
    const wal = dirs.map((d) => Math.round(du(path.join(d, 'pg_wal')) / 1e6));
    process.stdout.write(
      `PGlite directories: +${((dirs.reduce((a, d) => a + du(d), 0) - duBefore) / count / 1024).toFixed(1)} kB per request; pg_wal RU ${wal[0]} MB, KZ ${wal[1]} MB\n`,
    );
  }
  const rows: { node: string; table: string; bytesPerRequest: number }[] = [];
  let total = 0;
  ['RU', 'KZ'].forEach((node, i) => {
    for (const [t, n] of after[i]!) {
      const d = (n - (before[i]!.get(t) ?? 0)) / count;
      if (t === '(database)') rows.push({ node, table: t, bytesPerRequest: Math.round(d) });
      else if (d > 0) {
        rows.push({ node, table: t, bytesPerRequest: Math.round(d) });
        if (!t.includes(' (')) total += d;
      }
    }
  });
  // The widest values, averaged over the rows of the run.
  const widths = async (db: Store, q: string) => (await sql.raw<Record<string, string>>(q).execute(db)).rows[0];
  console.table({
    'RU outbox': await widths(
      ctx.db,
      `select avg(octet_length(signed_enc))::int as signed_enc, avg(octet_length(payload::text))::int as payload,
         avg(octet_length(receipt::text))::int as receipt from outbox where type = 'request'`,
    ),
    'RU requests': await widths(
      ctx.db,
      `select avg(octet_length(document::text))::int as document, avg(octet_length(document_enc))::int as document_enc,
         avg(octet_length(search_keys::text))::int as search_keys from requests`,
    ),
    'RU request_events': await widths(ctx.db, `select avg(octet_length(data::text))::int as data from request_events`),
    'RU audit_log': await widths(
      ctx.db,
      `select avg(octet_length(details::text))::int as details, count(*) as n from audit_log`,
    ),
    'KZ inbox': await widths(
      kz.db,
      `select avg(octet_length(payload_enc))::int as payload_enc, avg(octet_length(receipt::text))::int as receipt from inbox`,
    ),
    'KZ requests': await widths(
      kz.db,
      `select avg(octet_length(document::text))::int as document, avg(octet_length(document_enc))::int as document_enc,
         avg(octet_length(search_keys::text))::int as search_keys from requests`,
    ),
  });
  rows.sort((a, b) => a.node.localeCompare(b.node) || b.bytesPerRequest - a.bytesPerRequest);
  console.table(rows);
  const db = rows.filter((r) => r.table === '(database)').reduce((a, r) => a + r.bytesPerRequest, 0);
  process.stdout.write(
    `${usePg ? 'postgres' : 'pglite'}${alone ? ', each message alone' : ''}: ${count} requests; tables with indexes ${(total / 1024).toFixed(1)} kB per request; database size ${(db / 1024).toFixed(1)} kB per request (both nodes)\n`,
  );
} finally {
  await fed.close();
  if (usePg) for (const d of dbs) await admin(`drop database if exists ${d}`);
}
