// Issue 15.6: the statistics read a summary kept by a trigger on requests (migration 024). The summary equals a
// recount of every request after changes made outside the use cases too (an insertion, a deletion, a purge, a
// move); the
// turnarounds follow the calendars the node runs with (R12.a: a changed or missing calendar counts them again);
// the percentiles come from a histogram and equal PostgreSQL's percentile_cont (linear interpolation).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import type { AppContext, Officer } from '../../src/app/context.js';
import { getStatistics, type Statistics } from '../../src/app/get-statistics.js';
import { refreshStatisticsCalendars } from '../../src/app/refresh-statistics-calendars.js';
import { foldStatisticsChanges } from '../../src/app/statistics-summary.js';
import type { Tx } from '../../src/ports/store.js';
import { FACT_COLUMNS } from '../../src/adapters/db/migrations/032-statistics-changed-rows.js';
import { FACTS_FUNCTION, factsOf } from '../../src/adapters/db/migrations/024-statistics-summary.js';
import { buildCalendar, workingDaysBetween, type Calendar } from '../../src/domain/calendar.js';
import { histogramPercentile } from '../../src/domain/statistics.js';
import { nodeOn, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { percentile, seedTraffic, TRAFFIC_BODIES } from '../support/statistics-traffic.js';

test('R12.a: percentiles from a histogram equal linear interpolation over the values (percentile_cont)', () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 500; round++) {
    const values = Array.from({ length: 1 + random(40) }, () => random(25) - 2);
    const days = [...new Set(values)].sort((a, b) => a - b);
    const counts = days.map((d) => values.filter((v) => v === d).length);
    for (const q of [0.5, 0.9, 0, 1, 0.25])
      assert.equal(histogramPercentile(days, counts, q), percentile(values, q), `${q} of ${values.join(',')}`);
  }
  assert.equal(histogramPercentile([], [], 0.5), null);
  assert.equal(histogramPercentile([3, 10], [1, 1], 0.5), 6.5);
  assert.equal(histogramPercentile([1, 2, 9], [5, 3, 1], 0.9), 3.4);
});

/** Ends a transaction that only looked (rolled back), carrying what it saw. */
class Rollback extends Error {
  constructor(readonly out: number[]) {
    super('rollback');
  }
}

/** RU's calendar with one more holiday. */
async function withHoliday(date: string): Promise<Calendar> {
  const ru = await loadCalendar('RU');
  const years = [...ru.years.values()].map((y) =>
    y.year === Number(date.slice(0, 4))
      ? {
          ...y,
          days: [
            ...y.days,
            { date, type: 'holiday' as const, name: 'Проверка', source: y.sources[0]!.id, status: 'official' as const },
          ].sort((a, b) => a.date.localeCompare(b.date)),
        }
      : y,
  );
  return buildCalendar(years);
}

/** The summary as the statistics read it (folded or not), and a recount of every request now. */
async function summaryAndRecount(ctx: AppContext): Promise<[string[], string[]]> {
  const key = (r: Record<string, unknown>) =>
    `${String(r.month)}|${String(r.direction)}|${String(r.partner)}|${String(r.body_id)}|${String(r.fact)}|${String(r.value)}|${String(r.n)}`;
  const summary = await sql<Record<string, unknown>>`
    select month::text, direction, partner, body_id, fact, value, sum(n)::int as n
    from (select * from request_statistics union all select * from request_statistics_changes) s
    group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0`.execute(ctx.db);
  const recount = await sql<Record<string, unknown>>`
    select f.month::text, f.direction, f.partner, f.body_id, f.fact, f.value, count(*)::int as n
    from requests r cross join lateral ${sql.raw(factsOf('r'))} f
    group by 1, 2, 3, 4, 5, 6`.execute(ctx.db);
  return [summary.rows.map(key).sort(), recount.rows.map(key).sort()];
}

/** The turnarounds of the summary per group, and as workingDaysBetween counts them on the given calendars. */
async function turnarounds(ctx: AppContext, calendarOf: (r: { direction: string; party: string }) => Calendar | null) {
  const kept = await sql<{ k: string }>`
    select concat_ws('|', month, direction, partner, body_id, value, sum(n)) as k
    from (select * from request_statistics union all select * from request_statistics_changes) s
    where fact = 'turnaround' group by month, direction, partner, body_id, value having sum(n) <> 0`.execute(ctx.db);
  const rows = await sql<{
    direction: string;
    party: string;
    body_id: string;
    received_on: string;
    responded_on: string;
  }>`
    select direction, counterpart_party as party, body_id, received_on, responded_on from requests
    where responded_on is not null and received_on is not null`.execute(ctx.db);
  const counted = new Map<string, number>();
  for (const r of rows.rows) {
    const cal = calendarOf(r);
    if (!cal) continue;
    const k = `${r.received_on.slice(0, 7)}-01|${r.direction}|${r.party}|${r.body_id}|${workingDaysBetween(cal, r.received_on, r.responded_on)}`;
    counted.set(k, (counted.get(k) ?? 0) + 1);
  }
  return {
    kept: kept.rows.map((r) => r.k).sort(),
    counted: [...counted].map(([k, n]) => `${k}|${n}`).sort(),
  };
}

for (const e of ENGINES) {
  describe(`issue 15.6: the statistics summary on ${e.engine}`, () => {
    let ru: TestNode;
    let central: Officer;
    let counted: Statistics;
    const period = { from: '2026-09', to: '2026-10' };
    const calendars = new Map<string, Calendar>();

    before(async () => {
      ru = nodeOn(await e.open(), 'RU');
      await seedTraffic(ru);
      central = await seedOfficer(ru.ctx, TRAFFIC_BODIES.central.id, ['central']);
      counted = await getStatistics(ru.ctx, central, period);
      for (const p of ['RU', 'KZ', 'BY']) calendars.set(p, await ru.ctx.calendar(p));
    });
    after(async () => {
      await ru?.database.close();
    });

    test('R12.a: the turnarounds kept equal the requested Party’s working days from receipt to answer', async () => {
      const t = await turnarounds(ru.ctx, (r) => calendars.get(r.direction === 'incoming' ? 'RU' : r.party)!);
      assert.ok(t.kept.length > 5);
      assert.deepEqual(t.kept, t.counted);
    });

    test('the summary equals a recount after changes outside the use cases (insert, purge, move, delete), folded or not', async () => {
      const [summary, recount] = await summaryAndRecount(ru.ctx);
      assert.ok(summary.length > 20);
      assert.deepEqual(summary, recount);
      // A purge empties the check on receipt (R9.6), a request moves to another body, one is deleted.
      await sql`update requests set receipt_check = null where receipt_problems > 0`.execute(ru.ctx.db);
      await sql`update requests set body_id = ${TRAFFIC_BODIES.spb.id}
        where id = (select id from requests where body_id = ${TRAFFIC_BODIES.moscow.id} limit 1)`.execute(ru.ctx.db);
      const copy = await sql<{ id: string }>`insert into requests (id, direction, number, body_id, proceeding_id,
          counterpart_party, counterpart_body, state, document, document_enc, key_id, received_at, received_on, deadline)
        select gen_random_uuid(), direction, number || '-copy', body_id, proceeding_id, counterpart_party,
          counterpart_body, 'in_progress', document, document_enc, key_id, received_at, received_on, deadline
        from requests where direction = 'incoming' limit 1 returning id`.execute(ru.ctx.db);
      {
        const [withCopy, recountedCopy] = await summaryAndRecount(ru.ctx);
        assert.deepEqual(withCopy, recountedCopy, 'an insertion counts');
      }
      await sql`delete from requests where id = ${copy.rows[0]!.id}`.execute(ru.ctx.db);
      const [unfolded, recounted] = await summaryAndRecount(ru.ctx);
      assert.deepEqual(unfolded, recounted, 'the changes not folded yet count');
      assert.notDeepEqual(recounted, recount);
      await foldStatisticsChanges(ru.ctx.db);
      assert.equal(
        Number(
          (await sql<{ n: string }>`select count(*) as n from request_statistics_changes`.execute(ru.ctx.db)).rows[0]!
            .n,
        ),
        0,
      );
      assert.deepEqual((await summaryAndRecount(ru.ctx))[0], recounted, 'folded alike');
      const s = await getStatistics(ru.ctx, central, period);
      assert.equal(
        s.totals.find((t) => t.direction === 'incoming')!.incompleteOnReceipt,
        0,
        'the purge emptied the check on receipt',
      );
      assert.equal(
        s.totals.reduce((n, t) => n + t.requests, 0),
        counted.totals.reduce((n, t) => n + t.requests, 0),
        'the copy inserted and deleted again',
      );
    });

    test('the trigger knows every column the facts read (FACT_COLUMNS, migration 032)', async () => {
      const def = await sql<{ d: string }>`
        select pg_get_functiondef('request_statistics_facts'::regproc) as d`.execute(ru.ctx.db);
      const read = new Set([...def.rows[0]!.d.matchAll(/\br\.([a-z_]+)/g)].map((m) => m[1]!));
      assert.deepEqual([...read].sort(), [...FACT_COLUMNS].sort());
    });

    test('the trigger asks for the facts only of rows that can have any: received, and changed in a fact column', async () => {
      // Calls of request_statistics_facts counted by this connection and not yet reported (this transaction's,
      // and earlier ones' when the server tracks functions itself): read as differences, in one transaction
      // rolled back at the end (the data stays as it was).
      const calls = (tx: Tx) =>
        sql<{ n: string }>`select coalesce(sum(calls), 0)::text as n from pg_stat_xact_user_functions
          where funcname = 'request_statistics_facts' and schemaname = current_schema()`
          .execute(tx)
          .then((r) => Number(r.rows[0]!.n));
      const counted = await ru.ctx.db
        .transaction()
        .execute(async (tx) => {
          await sql`set local track_functions = 'pl'`.execute(tx);
          // The facts function is SQL, inlined where it is called (034): nothing to count. For this transaction a
          // PL/pgSQL function of the same name wraps it, one call per row the trigger asks about.
          await sql`alter function request_statistics_facts(requests) rename to request_statistics_facts_inlined`.execute(
            tx,
          );
          await sql
            .raw(
              `${FACTS_FUNCTION('create')} language plpgsql stable as $$
              begin return query select * from request_statistics_facts_inlined(r); end $$`,
            )
            .execute(tx);
          const received = sql`select id from requests where received_on is not null order by id limit 6`;
          const others = sql`select id from requests where received_on is not null order by id desc limit 4`;
          const out: number[] = [];
          const base = await calls(tx);
          const since = async () => (await calls(tx)) - base;
          // Nothing the facts read: no call.
          await sql`update requests set version = version + 1, updated_at = now() where id in (${received})`.execute(
            tx,
          );
          out.push(await since());
          // Received no more (as before its receipt): asked of the old rows only.
          const unreceived = await sql<{ id: string }>`update requests set received_on = null
            where id in (${others}) returning id`.execute(tx);
          const ids = unreceived.rows.map((r) => r.id);
          out.push(await since());
          // Not received before nor after, fact columns changed: no call.
          await sql`update requests set addressed_to = coalesce(addressed_to, 'x'), deadline = deadline + 1
            where id in (${sql.join(ids)})`.execute(tx);
          out.push(await since());
          // A fact column changed on 6 received requests: each asked before and after.
          await sql`update requests set refusal_ground = coalesce(refusal_ground, '') || 'x'
            where id in (${received})`.execute(tx);
          out.push(await since());
          throw new Rollback(out);
        })
        .catch((e: unknown) => {
          if (e instanceof Rollback) return e.out;
          throw e;
        });
      assert.deepEqual(counted, [0, 4, 4, 16]);
    });

    test('R12.a: a changed calendar counts its turnarounds again, a missing one counts none, and back', async () => {
      const holiday = await withHoliday('2026-09-29');
      const changed: AppContext = {
        ...ru.ctx,
        calendar: (p) => (p === 'RU' ? Promise.resolve(holiday) : ru.ctx.calendar(p)),
      };
      const before = await getStatistics(ru.ctx, central, period);
      const after = await getStatistics(changed, central, period);
      assert.notDeepEqual(after.totals, before.totals, 'some incoming turnaround spans the new holiday');
      const t = await turnarounds(ru.ctx, (r) => (r.direction === 'incoming' ? holiday : calendars.get(r.party)!));
      assert.deepEqual(t.kept, t.counted);
      assert.deepEqual(await refreshStatisticsCalendars(changed), { calendars: [] }, 'checked once per process');
      const none: AppContext = {
        ...ru.ctx,
        calendar: (p) => (p === 'KZ' ? Promise.reject(new Error('no calendar')) : ru.ctx.calendar(p)),
      };
      assert.deepEqual(await refreshStatisticsCalendars(none), { calendars: ['own', 'KZ'] });
      const k = await turnarounds(ru.ctx, (r) =>
        r.direction === 'incoming' ? calendars.get('RU')! : r.party === 'KZ' ? null : calendars.get(r.party)!,
      );
      assert.deepEqual(k.kept, k.counted);
      assert.ok(k.kept.every((x) => !x.includes('|outgoing|KZ|')));
      assert.deepEqual(await refreshStatisticsCalendars(ru.ctx), { calendars: ['KZ'] });
      assert.deepEqual(await getStatistics(ru.ctx, central, period), before);
    });
  });
}
