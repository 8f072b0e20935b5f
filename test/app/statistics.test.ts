// Issue 15.6: statistics for central bodies and supervisors, on PGlite and PostgreSQL. Two months of a Russian
// node's traffic with Kazakhstan and Belarus are made through the use cases (test/support/statistics-traffic.ts);
// the expected figures are computed here from the plan alone — working days from the Parties' calendars, the
// percentiles by linear interpolation — and compared with getStatistics and with GET /api/v1/statistics.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import type { Officer } from '../../src/app/context.js';
import { getStatistics, type StatisticsFigures } from '../../src/app/get-statistics.js';
import { workingDaysBetween, type Calendar } from '../../src/domain/calendar.js';
import { STATISTICS_GROUNDS } from '../../src/domain/statistics.js';
import { nodeOn, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import {
  percentile,
  seedTraffic,
  TRAFFIC_BODIES,
  type PlannedRequest,
  type Traffic,
} from '../support/statistics-traffic.js';

const TODAY = '2026-11-26';

/** The figures of a group of planned requests, from the plan and the calendars only. */
function expectedFigures(plan: readonly PlannedRequest[], calendars: ReadonlyMap<string, Calendar>) {
  return (rows: readonly PlannedRequest[]): StatisticsFigures => {
    const respondedOn = (r: PlannedRequest) =>
      r.outcome.kind === 'answered' || r.outcome.kind === 'refused' ? r.outcome.on : null;
    const overdue = (r: PlannedRequest) => r.outcome.kind !== 'withdrawn' && r.deadline! < (respondedOn(r) ?? TODAY);
    const turnarounds = rows
      .filter((r) => respondedOn(r))
      .map((r) =>
        workingDaysBetween(
          calendars.get(r.direction === 'incoming' ? 'RU' : r.partner)!,
          r.receivedOn,
          respondedOn(r)!,
        ),
      );
    const count = (p: (r: PlannedRequest) => boolean) => rows.filter(p).length;
    void plan;
    return {
      requests: rows.length,
      answered: count((r) => r.outcome.kind === 'answered'),
      answeredInTime: count((r) => r.outcome.kind === 'answered' && r.outcome.on <= r.deadline!),
      open: count((r) => r.outcome.kind === 'open'),
      overdueNotified: count((r) => overdue(r) && Boolean(r.delayOn)),
      overdueSilent: count((r) => overdue(r) && !r.delayOn),
      refused: count((r) => r.outcome.kind === 'refused'),
      refusedBy: Object.fromEntries(
        STATISTICS_GROUNDS.map((g) => [g, count((r) => r.outcome.kind === 'refused' && r.outcome.ground === g)]),
      ) as StatisticsFigures['refusedBy'],
      withdrawn: count((r) => r.outcome.kind === 'withdrawn'),
      forwarded: count((r) => Boolean(r.forwarded)),
      additionalInfoAsked: count((r) => Boolean(r.moreInfoOn)),
      incompleteOnReceipt: count((r) => (r.leaveOut?.length ?? 0) > 0),
      turnaround: {
        counted: turnarounds.length,
        median: percentile(turnarounds, 0.5),
        p90: percentile(turnarounds, 0.9),
      },
    };
  };
}

const figures = <T extends StatisticsFigures>(x: T): StatisticsFigures => ({
  requests: x.requests,
  answered: x.answered,
  answeredInTime: x.answeredInTime,
  open: x.open,
  overdueNotified: x.overdueNotified,
  overdueSilent: x.overdueSilent,
  refused: x.refused,
  refusedBy: x.refusedBy,
  withdrawn: x.withdrawn,
  forwarded: x.forwarded,
  additionalInfoAsked: x.additionalInfoAsked,
  incompleteOnReceipt: x.incompleteOnReceipt,
  turnaround: x.turnaround,
});

for (const e of ENGINES) {
  describe(`issue 15.6: statistics on ${e.engine}`, () => {
    let ru: TestNode;
    let traffic: Traffic;
    let central: Officer;
    let supervisor: Officer;
    let expect: (rows: readonly PlannedRequest[]) => StatisticsFigures;
    let app: FastifyInstance;

    before(async () => {
      ru = nodeOn(await e.open(), 'RU');
      traffic = await seedTraffic(ru);
      central = await seedOfficer(ru.ctx, TRAFFIC_BODIES.central.id, ['central']);
      supervisor = await seedOfficer(ru.ctx, TRAFFIC_BODIES.moscow.id, ['supervisor']);
      const calendars = new Map<string, Calendar>();
      for (const p of ['RU', 'KZ', 'BY']) calendars.set(p, await ru.ctx.calendar(p));
      expect = expectedFigures(traffic.plan, calendars);
      app = await buildServer({ ctx: ru.ctx, logLevel: 'silent', rateLimit: 100_000 });
    });
    after(async () => {
      await app?.close();
      await ru?.database.close();
    });

    test('R12.a, R12.c, R13.a, R14, R18: every figure per month, Party pair and body equals the plan', async () => {
      const s = await getStatistics(ru.ctx, central, { from: '2026-09', to: '2026-10' });
      assert.equal(s.scope, 'node');
      const plan = traffic.plan;
      // Every group of the plan, and no other.
      const keys = [...new Set(plan.map((r) => `${r.receivedOn.slice(0, 7)}|${r.direction}|${r.partner}|${r.bodyId}`))];
      assert.deepEqual(
        s.rows.map((r) => `${r.month}|${r.direction}|${r.partnerParty}|${r.body.id}`).sort(),
        keys.sort(),
      );
      for (const row of s.rows) {
        const of = plan.filter(
          (r) =>
            r.receivedOn.startsWith(row.month) &&
            r.direction === row.direction &&
            r.partner === row.partnerParty &&
            r.bodyId === row.body.id,
        );
        assert.deepEqual(figures(row), expect(of), `${row.month} ${row.direction} ${row.partnerParty} ${row.body.id}`);
      }
      for (const m of s.byMonth)
        assert.deepEqual(
          figures(m),
          expect(plan.filter((r) => r.receivedOn.startsWith(m.month) && r.direction === m.direction)),
          `${m.month} ${m.direction}`,
        );
      for (const p of s.byPair)
        assert.deepEqual(
          figures(p),
          expect(plan.filter((r) => r.direction === p.direction && r.partner === p.partnerParty)),
          `${p.direction} ${p.partnerParty}`,
        );
      for (const t of s.totals)
        assert.deepEqual(figures(t), expect(plan.filter((r) => r.direction === t.direction)), t.direction);
      // The plan covers what the figures distinguish (else the comparison would prove little).
      const total = s.totals.find((t) => t.direction === 'incoming')!;
      assert.ok(total.answeredInTime > 0 && total.overdueNotified > 0 && total.overdueSilent > 0);
      assert.ok(total.refusedBy.law > 0 && total.refusedBy.sovereignty > 0 && total.withdrawn > 0);
      assert.ok(total.forwarded > 0 && total.additionalInfoAsked > 0 && total.turnaround.counted > 3);
      const out = s.totals.find((t) => t.direction === 'outgoing')!;
      assert.equal(
        out.refusedBy.international_obligations,
        1,
        'a refusal received from the other Party keeps its ground',
      );
    });

    test('R11: the most frequent reasons per requesting Party, most frequent first, without personal data', async () => {
      const s = await getStatistics(ru.ctx, central, { from: '2026-09', to: '2026-10', direction: 'incoming' });
      const kz = s.byPair.find((p) => p.partnerParty === 'KZ')!;
      const left = (field: string) =>
        traffic.plan.filter(
          (r) => r.direction === 'incoming' && r.partner === 'KZ' && r.leaveOut?.includes(field as never),
        ).length;
      assert.deepEqual(
        kz.incompleteReasons.map((r) => r.count),
        [left('operativePart'), left('grounds')],
      );
      assert.match(
        kz.incompleteReasons[0]!.label,
        /^«Резолютивная часть акта»: не указано \(статья 11, пункт 1, подпункт «г»\)$/,
      );
      assert.match(kz.incompleteReasons[1]!.label, /^«Содержание запроса и фактические обстоятельства»/);
      const by = s.byPair.find((p) => p.partnerParty === 'BY')!;
      assert.deepEqual(
        by.incompleteReasons.map((r) => r.count),
        [1],
      );
      assert.doesNotMatch(JSON.stringify(s), /Иванов|500100732259|Тверская/, 'R9.1: no debtor data');
    });

    test('filters: Party, direction, body and period narrow the figures alike', async () => {
      const s = await getStatistics(ru.ctx, central, {
        from: '2026-10',
        to: '2026-10',
        partnerParty: 'BY',
        direction: 'incoming',
        bodyId: TRAFFIC_BODIES.central.id,
      });
      assert.deepEqual(s.months, ['2026-10']);
      assert.deepEqual(
        figures(s.totals[0]!),
        expect(
          traffic.plan.filter(
            (r) =>
              r.receivedOn.startsWith('2026-10') &&
              r.partner === 'BY' &&
              r.direction === 'incoming' &&
              r.bodyId === TRAFFIC_BODIES.central.id,
          ),
        ),
      );
      assert.equal(s.totals.length, 1);
    });

    test('access: a supervisor sees his own body only; officers and administrators are refused', async () => {
      const s = await getStatistics(ru.ctx, supervisor, { from: '2026-09', to: '2026-10' });
      assert.equal(s.scope, 'body');
      assert.deepEqual([...new Set(s.rows.map((r) => r.body.id))], [TRAFFIC_BODIES.moscow.id]);
      for (const t of s.totals)
        assert.deepEqual(
          figures(t),
          expect(traffic.plan.filter((r) => r.direction === t.direction && r.bodyId === TRAFFIC_BODIES.moscow.id)),
        );
      await rejects(getStatistics(ru.ctx, supervisor, { bodyId: TRAFFIC_BODIES.central.id }), 'access.denied');
      await rejects(getStatistics(ru.ctx, traffic.officers.moscow, {}), 'access.denied');
      await rejects(
        getStatistics(ru.ctx, await seedOfficer(ru.ctx, TRAFFIC_BODIES.central.id, ['admin']), {}),
        'access.denied',
      );
    });

    test('bad filters are refused with input.invalid naming the field', async () => {
      const field = async (input: Record<string, unknown>, name: string) => {
        const err = await rejects(getStatistics(ru.ctx, central, input), 'input.invalid');
        assert.equal(err.data.field, name, JSON.stringify(input));
      };
      await field({ from: '2026-13' }, 'from');
      await field({ from: '2026-10', to: '2026-09' }, 'to');
      await field({ from: '2020-01', to: '2026-10' }, 'to');
      await field({ partnerParty: 'XX' }, 'partnerParty');
      await field({ partnerParty: 'RU' }, 'partnerParty');
      await field({ direction: 'sideways' }, 'direction');
      await field({ bodyId: 'no-such-body' }, 'bodyId');
      await field({ colour: 'red' }, 'colour');
    });

    test('GET /api/v1/statistics: the same figures; a bad filter is a 400 naming the field; an officer gets 403', async () => {
      const token = (await createApiToken(ru.ctx, central, { name: 'статистика' })).token;
      const officerToken = (await createApiToken(ru.ctx, traffic.officers.moscow, { name: 'исполнитель' })).token;
      const get = (url: string, t = token) =>
        app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t}` } });
      const r = await get('/api/v1/statistics?from=2026-09&to=2026-10');
      assert.equal(r.statusCode, 200);
      assert.deepEqual(
        r.json(),
        JSON.parse(JSON.stringify(await getStatistics(ru.ctx, central, { from: '2026-09', to: '2026-10' }))),
      );
      const bad = await get('/api/v1/statistics?from=2026-10&to=2026-01');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'input.invalid');
      assert.equal(bad.json().error.details.field, 'to');
      assert.equal((await get('/api/v1/statistics', officerToken)).statusCode, 403);
      const csv = await get('/api/v1/statistics/export?from=2026-09&to=2026-10&format=csv');
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      assert.equal(csv.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 with BOM');
      assert.match(csv.body, /^\ufeffПо месяцам и органам\r\nМесяц;Направление;Другая Сторона;Орган;Запросов;/);
      const openapi = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      assert.ok(openapi.paths['/api/v1/statistics']?.get, 'documented in OpenAPI');
    });
  });
}
