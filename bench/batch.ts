// `npm run bench -- batch` (issue 16, items 1 and 5): a batch of requests on PostgreSQL (its own schema) — the
// time to read the rows, validate them all (R11, national ids), and create, sign and queue them in chunks; for
// EIX_BATCH_SIZES rows (default 10000,100000). Then, with a RU node on PostgreSQL (its own database) and a KZ node
// (three-node demo federation, one process, real mutual TLS), the time until every request of a batch of
// EIX_BATCH_RECEIPT_ROWS rows (default 10000) is receipted by KZ, waited for at most EIX_BATCH_RECEIPT_SECONDS
// (default 1800); when the wait ends first, the rate so far is reported.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/adapters/db/database.js';
import { runBatch, submitBatch, type SubmittedRow } from '../src/app/batch-requests.js';
import { exampleCells } from '../src/domain/batch.js';
import { nodeOn, seedBody, seedOfficer } from '../test/support/app.js';
import { officer, startTestFederation } from '../test/support/federation.js';
import type { BenchRow, Suite } from './run.js';

const PG_URL =
  process.env.EIX_BENCH_DATABASE_URL ?? process.env.EIX_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SIZES = (process.env.EIX_BATCH_SIZES ?? '10000,100000').split(',').map(Number);
const RECEIPT_ROWS = Number(process.env.EIX_BATCH_RECEIPT_ROWS ?? 10_000);
const RECEIPT_SECONDS = Number(process.env.EIX_BATCH_RECEIPT_SECONDS ?? 1800);
const CHUNK = Number(process.env.EIX_BATCH_CHUNK ?? 500);
const summary: Record<string, number | string> = {};

/** `count` rows as a file gives them (cells): the template's example, one proceeding and debtor per row. */
function rows(count: number, prefix: string): SubmittedRow[] {
  const ex = exampleCells();
  return Array.from({ length: count }, (_, i) => ({
    n: i + 2,
    cells: { ...ex, proceedingNumber: `${prefix}-${i}`, debtorSurname: `Иванов-${i % 997}` },
  }));
}

const s = (ms: number) => Math.round(ms / 100) / 10;
const row = (task: string, ms: number, n: number): BenchRow => ({
  task,
  opsPerSec: Math.round((n / ms) * 1000),
  meanMicros: Math.round((ms * 1000) / n),
  p50Micros: 0,
  p99Micros: 0,
  samples: n,
});

async function createOnPostgres(n: number): Promise<BenchRow[]> {
  const schema = `bench_batch_${randomBytes(4).toString('hex')}`;
  const database = await openDatabase({ url: PG_URL, schema });
  try {
    const node = nodeOn(database, 'RU');
    const body = await seedBody(node.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
    const o = await seedOfficer(node.ctx, body);
    const input = rows(n, `B${n}`);
    const t0 = performance.now();
    const { id } = await submitBatch(node.ctx, o, { source: 'csv', requestedBody: { party: 'KZ' }, rows: input });
    const tSubmitted = performance.now();
    let tValidated = 0;
    const end = await runBatch(node.ctx, id, {
      runner: 'bench',
      chunkSize: CHUNK,
      onProgress: (p) => {
        if (p.state === 'creating' && tValidated === 0) tValidated = performance.now();
      },
    });
    const tDone = performance.now();
    if (end.created !== n) throw new Error(`batch of ${n}: ${end.created} created, ${end.failed} failed`);
    summary[`${n} rows: submit (seal and store the rows), s`] = s(tSubmitted - t0);
    summary[`${n} rows: validate all rows and store the report, s`] = s(tValidated - tSubmitted);
    summary[`${n} rows: create, sign and queue (chunks of ${CHUNK}), s`] = s(tDone - tValidated);
    summary[`${n} rows: total, s`] = s(tDone - t0);
    return [
      row(`postgres: ${n} rows validated`, tValidated - tSubmitted, n),
      row(`postgres: ${n} rows created, signed and queued`, tDone - tValidated, n),
      row(`postgres: ${n} rows submitted → queued (total)`, tDone - t0, n),
    ];
  } finally {
    await database.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  }
}

async function untilReceipted(n: number): Promise<BenchRow[]> {
  const dbName = `eix_bench_batch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(PG_URL);
  url.pathname = `/${dbName}`;
  const fed = await startTestFederation({ databaseUrls: { RU: url.toString() } });
  try {
    const ru = fed.nodes.RU.wired.ctx;
    const o = await officer(fed.nodes.RU, 'ru.officer');
    const t0 = performance.now();
    const { id } = await submitBatch(ru, o, { source: 'csv', requestedBody: { party: 'KZ' }, rows: rows(n, `R${n}`) });
    fed.nodes.RU.batches!.kick();
    const receipted = async () =>
      Number(
        (
          await ru.db
            .selectFrom('requests')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('batch_id', '=', id)
            .where('state', 'not in', ['draft', 'signed', 'sent'])
            .executeTakeFirstOrThrow()
        ).n,
      );
    let queuedAt = 0;
    let got = 0;
    const deadline = t0 + RECEIPT_SECONDS * 1000;
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      const b = await ru.db
        .selectFrom('batches')
        .select(['state', 'created'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (b.state === 'done' && queuedAt === 0) queuedAt = performance.now();
      fed.nodes.RU.worker!.kick();
      got = await receipted();
      if (got === n) break;
    }
    const tEnd = performance.now();
    summary[`receipt: ${n} rows queued after, s`] = queuedAt ? s(queuedAt - t0) : 'not finished';
    summary[`receipt: receipted by KZ`] = `${got} of ${n}`;
    summary[`receipt: ${got === n ? 'all receipted after' : `waited (limit ${RECEIPT_SECONDS} s)`}, s`] = s(tEnd - t0);
    return [
      row(`RU postgres → KZ: ${n} rows submitted → ${got === n ? 'all' : got} receipted`, tEnd - t0, Math.max(1, got)),
    ];
  } finally {
    await fed.close();
    await admin.query(`drop database ${dbName} with (force)`);
    await admin.end();
  }
}

export const suite: Suite = {
  name: 'batch',
  description: `batch requests on PostgreSQL: ${SIZES.join(', ')} rows validated, created, signed and queued; ${RECEIPT_ROWS} rows until receipted by KZ`,
  async measure() {
    const out: BenchRow[] = [];
    for (const n of SIZES) {
      process.stderr.write(`batch: ${n} rows…\n`);
      out.push(...(await createOnPostgres(n)));
    }
    if (RECEIPT_ROWS > 0) {
      process.stderr.write(`batch: ${RECEIPT_ROWS} rows until receipted…\n`);
      out.push(...(await untilReceipted(RECEIPT_ROWS)));
    }
    return out;
  },
  summarize: () => summary,
};
