// The officer's work queue with 100k requests stored (issue 14), PGlite and
// PostgreSQL side by side: the list's first page, page 50 through the cursor,
// the archive with filters (Party + period + overdue), a search by debtor
// name, an export of ~1,000 rows (CSV and XLSX), and the dashboard page as the
// server renders it (fastify inject), and the statistics of issue 15.6. The bar for a page is 200 ms.
// Each operation runs WARMUP + RUNS times; p50/p95/p99 of the timed runs.
import { sql } from 'kysely';
import { hashPassword } from '../src/adapters/crypto/passwords.js';
import { buildServer } from '../src/adapters/http/server.js';
import { createProceeding } from '../src/app/create-proceeding.js';
import { exportRequestList } from '../src/app/export-request-list.js';
import { listRequests } from '../src/app/list-requests.js';
import { getStatistics } from '../src/app/get-statistics.js';
import { exportStatistics } from '../src/app/export-statistics.js';
import { openSession } from '../src/app/sessions.js';
import { addDays, addMonths } from '../src/domain/dates.js';
import { partyDay } from '../src/domain/parties.js';
import { aRequest } from '../test/support/requests.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer } from '../test/support/app.js';
import { benchEngines, STORED } from './engines.js';
import { SEARCHED_SURNAME, seedRequests } from './seed-requests.js';
import type { BenchRow, Suite } from './run.js';

const WARMUP = 3;
const RUNS = Number(process.env.EIX_BENCH_RUNS ?? 30);
const cleanups: (() => Promise<void>)[] = [];

async function time(task: string, runs: number, fn: () => Promise<unknown>): Promise<BenchRow> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => Number((ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]! * 1000).toFixed(0));
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return {
    task,
    opsPerSec: Math.round(1000 / mean),
    meanMicros: Number((mean * 1000).toFixed(0)),
    p50Micros: at(0.5),
    p95Micros: at(0.95),
    p99Micros: at(0.99),
    samples: ms.length,
  };
}

export const suite: Suite = {
  name: 'ui',
  description: `the officer's work queue with ${STORED} requests stored (µs; p50/p95/p99 of ${RUNS} runs)`,
  async measure() {
    const rows: BenchRow[] = [];
    const example = aRequest();
    for (const [engine, database] of await benchEngines('bench-ui', cleanups)) {
      const node = nodeOn(database, 'RU');
      const bodies = [
        await seedBody(node.ctx, { id: 'ru-fssp-77' }),
        await seedBody(node.ctx, { id: 'ru-fssp-78' }),
        await seedBody(node.ctx, { id: 'ru-fssp-50' }),
        await seedBody(node.ctx, { id: 'ru-fssp-66' }),
      ];
      const officer = await seedOfficer(node.ctx, bodies[0]!);
      await database.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword('bench-password-1') })
        .where('id', '=', officer.officerId)
        .execute();
      const { id: proceedingId } = await createProceeding(node.ctx, officer, {
        number: 'BENCH-UI',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      const today = partyDay(node.ctx.clock.now(), 'RU');
      const t0 = Date.now();
      await seedRequests(node.ctx, { bodies, proceedingId, count: STORED, today });
      const n = await sql<{ n: string }>`select count(*) as n from requests`.execute(database.db);
      process.stderr.write(
        `${engine}: ${n.rows[0]!.n} requests seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
      );

      const list = (input: Record<string, unknown>) => listRequests(node.ctx, officer, input);
      rows.push(
        await time(`${engine}: work queue, first page (incoming, term running, by deadline)`, RUNS, () =>
          list({ direction: 'incoming', deadlineStatus: 'open', limit: 50 }),
        ),
      );
      rows.push(
        await time(`${engine}: outgoing, first page (by last change)`, RUNS, () =>
          list({ direction: 'outgoing', limit: 50 }),
        ),
      );
      // Page 50 of the archive: the cursor of page 49 found once, outside the timing.
      const archive = { direction: 'incoming', sort: 'received', order: 'desc', limit: 50 };
      let cursor: string | null = null;
      for (let page = 1; page < 50; page++) {
        const r = await list({ ...archive, ...(cursor ? { cursor } : {}) });
        cursor = r.nextCursor;
      }
      if (!cursor) throw new Error('fewer than 50 pages');
      const at50 = cursor;
      rows.push(await time(`${engine}: archive page 50 via cursor`, RUNS, () => list({ ...archive, cursor: at50 })));
      const filtered = {
        direction: 'incoming',
        counterpartParty: 'KZ',
        from: addDays(today, -180),
        to: today,
        deadlineStatus: 'overdue',
        limit: 50,
      };
      const hits = await list(filtered);
      rows.push(
        await time(`${engine}: archive filtered: Party + period + overdue (${hits.total} rows)`, RUNS, () =>
          list(filtered),
        ),
      );
      const found = await list({ direction: 'incoming', query: SEARCHED_SURNAME, limit: 50 });
      rows.push(
        await time(`${engine}: search by debtor name (${found.total} rows)`, RUNS, () =>
          list({ direction: 'incoming', query: SEARCHED_SURNAME, limit: 50 }),
        ),
      );
      // ~1,000 rows: the officer's incoming requests of the last five weeks.
      const exported = { direction: 'incoming', from: addDays(today, -35), to: today, sort: 'received' };
      const sample = await exportRequestList(node.ctx, officer, { ...exported, format: 'csv' });
      const lines = sample.content.toString('utf8').trim().split('\r\n').length - 1;
      for (const format of ['csv', 'xlsx'] as const)
        rows.push(
          await time(`${engine}: export ${lines} rows, ${format.toUpperCase()}`, Math.min(RUNS, 10), () =>
            exportRequestList(node.ctx, officer, { ...exported, format }),
          ),
        );
      // Issue 15.6: the statistics of a central body (every body) and of a supervisor (his body), 12 months.
      const central = await seedOfficer(node.ctx, bodies[0]!, ['central']);
      const supervisor = await seedOfficer(node.ctx, bodies[1]!, ['supervisor']);
      const to = today.slice(0, 7);
      const from = addMonths(`${to}-01`, -11).slice(0, 7);
      const year = { from, to };
      const all = await getStatistics(node.ctx, central, year);
      const counted = all.totals.reduce((n, t) => n + t.requests, 0);
      rows.push(
        await time(`${engine}: statistics, 12 months, all bodies (${counted} requests)`, Math.min(RUNS, 10), () =>
          getStatistics(node.ctx, central, year),
        ),
      );
      rows.push(
        await time(`${engine}: statistics, 12 months, one Party, incoming`, Math.min(RUNS, 10), () =>
          getStatistics(node.ctx, central, { ...year, partnerParty: 'KZ', direction: 'incoming' }),
        ),
      );
      rows.push(
        await time(`${engine}: statistics, 24 months, all bodies`, Math.min(RUNS, 10), () =>
          getStatistics(node.ctx, central, { from: addMonths(`${to}-01`, -23).slice(0, 7), to }),
        ),
      );
      rows.push(
        await time(`${engine}: statistics, 12 months, a supervisor's body`, Math.min(RUNS, 10), () =>
          getStatistics(node.ctx, supervisor, year),
        ),
      );
      rows.push(
        await time(`${engine}: statistics export, 12 months, XLSX`, Math.min(RUNS, 10), () =>
          exportStatistics(node.ctx, central, { ...year, format: 'xlsx' }),
        ),
      );
      const app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 10_000_000 });
      cleanups.unshift(() => app.close());
      const s = await openSession(node.ctx, { login: officer.login, password: 'bench-password-1' });
      await passSecondFactor(node.ctx, officer.officerId, s.token);
      const cookie = `__Host-eix_session=${s.token}`;
      rows.push(
        await time(`${engine}: dashboard page (server)`, RUNS, async () => {
          const r = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
          if (r.statusCode !== 200) throw new Error(`dashboard: ${r.statusCode} ${String(r.headers.location)}`);
        }),
      );
    }
    return rows;
  },
  async teardown() {
    for (const c of cleanups) await c();
  },
  summarize(rows: readonly BenchRow[]) {
    const worst = rows
      .filter((r) => !r.task.includes('export') && !r.task.includes('statistics'))
      .reduce((a, b) => ((b.p95Micros ?? 0) > (a.p95Micros ?? 0) ? b : a));
    const stats = rows
      .filter((r) => r.task.includes('statistics,'))
      .reduce<BenchRow | null>((a, b) => (!a || (b.p95Micros ?? 0) > (a.p95Micros ?? 0) ? b : a), null);
    return {
      ...(stats
        ? { 'slowest statistics p95 (ms)': `${((stats.p95Micros ?? 0) / 1000).toFixed(1)} — ${stats.task}` }
        : {}),
      'slowest list p95 (ms)': `${((worst.p95Micros ?? 0) / 1000).toFixed(1)} — ${worst.task}`,
      'bar (ms)': 200,
    };
  },
};
