// Hostile clients of the REST API: every documented route (paths × methods of
// /api/openapi.json) is called by a valid officer with fast-check generated
// payloads — random JSON, valid bodies with one field broken (wrong type, huge
// string, 500-deep nesting, prototype-pollution keys), garbage path ids and
// query strings. The node never answers 5xx, every refusal has the one error
// shape, and no row appears in the casework tables except through a 2xx call.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import type { Officer } from '../../src/app/context.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { writeResult } from '../support/results.js';

const example = aRequest();
const RUNS = 30;
const SEED = Number(process.env.EIX_FUZZ_SEED ?? 20261126);

/** A raw JSON text: either a value to stringify or literal text (for keys JSON.stringify cannot express). */
type Payload = { raw: string } | { value: unknown } | undefined;

const nested = (depth: number, leaf: string = '1'): string => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
const nestedArr = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** Sets `value` at `path` of a deep copy of `base`, as JSON text (so `__proto__` survives as a key). */
function mutate(base: unknown, path: readonly (string | number)[], replacementJson: string): string {
  const marker = '"__EIX_FUZZ_MARKER__"';
  const copy = structuredClone(base) as Record<string | number, unknown>;
  if (path.length === 0) return replacementJson;
  let cur = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = '__EIX_FUZZ_MARKER__';
  return JSON.stringify(copy).replace(marker, replacementJson);
}

/** Every path into a JSON value (objects and arrays and leaves). */
function pathsOf(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  return out;
}

const PROTO_JSON = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":{"__proto__":{"isAdmin":true}}}',
  '[{"__proto__":{"polluted":true}}]',
];

/** A replacement value for one field, as JSON text. */
const replacementArb: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom(
    'null',
    'true',
    'false',
    '0',
    '-1',
    '1e308',
    '-0',
    '1.5',
    '9007199254740993',
    '""',
    '[]',
    '{}',
    '"0"',
    '[null]',
    '{"":""}',
  ),
  fc.integer({ min: 20_000, max: 120_000 }).map((n) => JSON.stringify('я'.repeat(n / 2) + 'x'.repeat(n / 2))),
  fc.constant(nested(500)),
  fc.constant(nestedArr(500)),
  fc.constantFrom(...PROTO_JSON),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    '"\\u0000"',
    '"\\ud800"',
    '"2026-02-30"',
    '"9999-99-99"',
    '"00000000-0000-0000-0000-000000000000"',
    '"\' OR 1=1 --"',
    '"<script>alert(1)</script>"',
  ),
);

const GARBAGE_IDS = [
  '',
  ' ',
  '..',
  '%2e%2e',
  'null',
  'undefined',
  '0',
  '-1',
  '1e9',
  'x'.repeat(5000),
  '%00',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  "1' OR '1'='1",
  '00000000-0000-0000-0000-00000000000g',
  '__proto__',
  'constructor',
  '%E2%80%AE',
  '%F0%9F%92%A9',
  '%',
  '%zz',
  '%E0%A4%A',
  'a%2Fb',
  'y'.repeat(101),
];

const idArb: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.constantFrom(...GARBAGE_IDS),
  fc.string({ maxLength: 60 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), minLength: 1, maxLength: 70 }),
);

const QUERY_KEYS = [
  'direction',
  'states',
  'bodyId',
  'query',
  'limit',
  'offset',
  'to',
  'date',
  'q',
  '__proto__',
  'constructor',
  'x',
];
const queryArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          'incoming',
          'outgoing',
          '-1',
          '1e999',
          '99999999999999999999',
          'draft,signed',
          'KZ',
          '2026-13-45',
          'a'.repeat(3000),
        ),
      ),
      { maxKeys: 5 },
    )
    .map((d) => {
      const s = new URLSearchParams();
      for (const [k, v] of Object.entries(d)) s.append(k, v);
      return s.toString();
    }),
  fc.constantFrom(
    '%',
    '%zz',
    '&&==&',
    'a[b]=1&a[c]=2',
    'limit=1&limit=2',
    'states=draft&states=zzz',
    'direction[]=incoming',
    '__proto__[x]=1',
    'query=%00',
    'query=' + '%27'.repeat(300),
  ),
);

interface Route {
  method: string;
  path: string;
}

for (const e of ENGINES) {
  describe(`hostile API fuzzing on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let token = '';
    let adminToken = '';
    let officer: Officer;
    let victim: Officer;
    let victimTokenId = '';
    let proceedingId = '';
    let requestId = '';
    let routes: Route[] = [];

    const count = async (table: 'proceedings' | 'requests' | 'answers'): Promise<number> =>
      Number(
        (
          await node.ctx.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    const send = async (method: string, url: string, payload: Payload, who = token) => {
      const headers: Record<string, string> = { authorization: `Bearer ${who}` };
      let body: string | undefined;
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        body = 'raw' in payload ? payload.raw : (JSON.stringify(payload.value) ?? 'null');
      }
      return app.inject({ method: method as 'GET', url, headers, ...(body !== undefined ? { payload: body } : {}) });
    };

    /**
     * A fuzzing run's report, the test's own: judge() checks one response against the contract, counts its outcome
     * per generated class and remembers the calls that create casework rows; failures are the contract violations.
     */
    const fuzzReport = () => {
      const created = { proceedings: 0, requests: 0, answers: 0 };
      const failures: string[] = [];
      const tally = new Map<string, number>();
      /** What was generated (payload class, id, query) and how each class was answered: the fuzzer's report. */
      const generated = new Map<string, Map<string, number>>();
      const judge = (
        route: Route,
        url: string,
        res: Awaited<ReturnType<typeof send>>,
        what: string,
        classes: readonly string[] = [],
      ): void => {
        const key = `${route.method} ${route.path}`;
        const where = `${key} → ${url.slice(0, 200)} [${what.slice(0, 200)}]: ${res.statusCode} ${res.body.slice(0, 300)}`;
        if (res.statusCode >= 500) failures.push(`5xx: ${where}`);
        let outcome = String(res.statusCode);
        if (res.statusCode >= 400) {
          let ok = false;
          try {
            const j = res.json() as { error?: { code?: unknown; message?: unknown } };
            ok = typeof j.error?.code === 'string' && typeof j.error?.message === 'string';
            if (ok) outcome = `${res.statusCode} ${String(j.error!.code)}`;
          } catch {
            ok = false;
          }
          if (!ok) failures.push(`shape: ${where}`);
        }
        tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
        for (const c of classes) {
          const byOutcome = generated.get(c) ?? new Map<string, number>();
          byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
          generated.set(c, byOutcome);
        }
        if (res.statusCode >= 200 && res.statusCode < 300) {
          if (key === 'POST /api/v1/proceedings') created.proceedings++;
          if (key === 'POST /api/v1/requests') created.requests++;
          if (key === 'POST /api/v1/requests/{id}/answers') created.answers++;
        }
      };
      return { created, failures, tally, generated, judge };
    };

    /** A valid (or at least well-formed) body for each route with a body. */
    const validBody = (route: Route): unknown => {
      const uniqueNumber = `FZ-${Math.random().toString(36).slice(2)}`;
      switch (`${route.method} ${route.path}`) {
        case 'POST /api/v1/proceedings':
          return {
            number: uniqueNumber,
            openedOn: '2026-03-02',
            debtor: example.debtor,
            creditor: example.creditor,
            executiveDocuments: [example.executiveDocument],
          };
        case 'POST /api/v1/requests':
          return {
            proceedingId,
            requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
            items: example.items,
            grounds: example.grounds,
          };
        case 'PUT /api/v1/requests/{id}':
          return {
            requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
            items: example.items,
            grounds: example.grounds,
            version: 1,
          };
        case 'POST /api/v1/requests/{id}/sign':
          return { version: 1 };
        case 'POST /api/v1/requests/{id}/steps':
          return { step: 'consult', data: { text: 'Прошу пояснить' }, version: 1 };
        case 'POST /api/v1/requests/{id}/answers':
          return { final: true, version: 1, items: [{ itemNo: 1, outcome: 'not_found' }] };
        case 'POST /api/v1/requests/{id}/refusal':
          return { ground: 'a', circumstances: 'Обстоятельства', version: 1 };
        case 'POST /api/v1/requests/{id}/forward':
          return { toBodyId: 'ru-fssp-78', note: 'Передаю' };
        case 'PUT /api/v1/requests/{id}/paper-original':
          return { dispatchedOn: '2026-11-26', means: 'post', tracking: 'RA123' };
        case 'POST /api/v1/requests/{id}/consents':
          return { recipient: 'Банк', purpose: 'Взыскание' };
        case 'POST /api/v1/requests/{id}/export':
          return { recipient: 'creditor' };
        case 'POST /api/v1/bodies':
          return { id: `ru-fz-${Math.random().toString(36).slice(2, 8)}`, name: 'Орган', kind: 'territorial' };
        case 'POST /api/v1/officers':
          return {
            bodyId: 'ru-fssp-77',
            login: `fz${Math.random().toString(36).slice(2, 10)}`,
            fullName: 'Сидоров',
            position: 'пристав',
            roles: ['officer'],
          };
        case 'PATCH /api/v1/officers/{id}':
          return { roles: ['officer'] };
        case 'POST /api/v1/tokens':
          return { name: 'fuzz' };
        case 'PUT /api/v1/retention-rules/{party}':
          return { months: 12, legalBasis: 'Закон' };
        case 'PUT /api/v1/protection-statement':
          return { measures: 'Шифрование', retention: '5 лет' };
        default:
          return {};
      }
    };

    /** A path with real ids (the caller's data) or fuzzed ones. */
    const fill = (path: string, id: string | null): string =>
      path
        .replace(
          '{id}',
          id ??
            (path.startsWith('/api/v1/proceedings')
              ? proceedingId
              : path.startsWith('/api/v1/officers')
                ? victim.officerId
                : path.startsWith('/api/v1/tokens')
                  ? victimTokenId
                  : requestId),
        )
        .replace('{sha256}', id ?? 'a'.repeat(64))
        .replace('{party}', id ?? 'KZ');

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const mine = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      await seedBody(node.ctx, { id: 'ru-fssp-78', parentId: null });
      officer = await seedOfficer(node.ctx, mine);
      const admin = await seedOfficer(node.ctx, mine, ['admin', 'supervisor']);
      victim = await seedOfficer(node.ctx, mine);
      token = (await createApiToken(node.ctx, officer, { name: 'fuzz' })).token;
      adminToken = (await createApiToken(node.ctx, admin, { name: 'fuzz-admin' })).token;
      victimTokenId = (await createApiToken(node.ctx, victim, { name: 'victim' })).token.split('_')[1]!;
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 1_000_000 });
      await app.ready();
      const p = await send('POST', '/api/v1/proceedings', {
        value: {
          number: 'FZ-BASE',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        },
      });
      assert.equal(p.statusCode, 201, p.body);
      proceedingId = String(p.json().id);
      const d = await send('POST', '/api/v1/requests', {
        value: {
          proceedingId,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
          items: example.items,
          grounds: example.grounds,
        },
      });
      assert.equal(d.statusCode, 201, d.body);
      requestId = String(d.json().id);
      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: path })),
      );
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test(
      'every documented route survives generated payloads, ids and query strings',
      { timeout: 300_000 },
      async () => {
        const { created, failures, tally, generated, judge } = fuzzReport();
        assert.ok(routes.length >= 25, `routes: ${routes.length}`);
        const before = {
          proceedings: await count('proceedings'),
          requests: await count('requests'),
          answers: await count('answers'),
        };
        const adminish = /\/(bodies|officers|retention-rules|protection-statement|audit|tokens)/;
        for (const route of routes) {
          const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
          const hasId = /\{(id|sha256|party)\}/.test(route.path);
          const base = validBody(route);
          const paths = pathsOf(base);
          const payloadArb: fc.Arbitrary<{ payload: Payload; what: string }> = fc.oneof(
            fc.jsonValue({ maxDepth: 4 }).map((v) => ({ payload: { value: v }, what: `json ${JSON.stringify(v)}` })),
            fc.tuple(fc.constantFrom(...paths), replacementArb).map(([p, r]) => ({
              payload: { raw: mutate(base, p, r) },
              what: `mutate ${p.join('.')} := ${r.slice(0, 80)}`,
            })),
            fc
              .tuple(fc.constantFrom(...paths.filter((p) => p.length > 0).concat([[]])), fc.constantFrom(...PROTO_JSON))
              .map(([p, r]) => ({
                payload: { raw: p.length ? mutate(base, p, r) : r },
                what: `proto at ${p.join('.')}`,
              })),
            fc.constant({ payload: { value: base }, what: 'valid' }),
            fc
              .constantFrom('{', '{"a":1,}', 'nul', '"\\x"', '\u0000', '[1,2', '{"a":1}{"b":2}', '')
              .map((raw) => ({ payload: { raw }, what: `broken ${JSON.stringify(raw)}` })),
          );
          await fc.assert(
            fc.asyncProperty(
              hasBody ? payloadArb : fc.constant({ payload: undefined as Payload, what: 'no body' }),
              hasId ? fc.option(idArb, { freq: 3 }) : fc.constant(null),
              queryArb,
              fc.boolean(),
              async ({ payload, what }, id, query, asAdmin) => {
                const url = fill(route.path, id) + (query ? `?${query}` : '');
                const who = asAdmin && adminish.test(route.path) ? adminToken : token;
                let res;
                try {
                  res = await send(route.method, url, payload, who);
                } catch (err) {
                  failures.push(`inject threw on ${route.method} ${url.slice(0, 200)}: ${String(err)}`);
                  return;
                }
                judge(route, url, res, `${what} id=${String(id).slice(0, 60)} q=${query.slice(0, 60)}`, [
                  `body: ${/^(no body|broken|proto|mutate|json|valid)/.exec(what)![1]}`,
                  `id: ${!hasId ? 'none in the path' : id === null ? 'a real one' : 'generated'}`,
                  `query: ${query ? 'generated' : 'none'}`,
                ]);
              },
            ),
            { numRuns: RUNS, seed: SEED },
          );
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was not polluted');
        assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype was not polluted');
        const after = {
          proceedings: await count('proceedings'),
          requests: await count('requests'),
          answers: await count('answers'),
        };
        const kinds = new Map<string, string>();
        for (const f of failures) {
          const m = /^(\w+): (\S+ \S+) .*?: (\d+) (.*)$/s.exec(f);
          const code = m ? (/"code":"([^"]+)"/.exec(m[4]!)?.[1] ?? '') : '';
          const k = m ? `${m[1]} ${m[2]} ${m[3]} ${code}` : f.slice(0, 100);
          if (!kinds.has(k)) kinds.set(k, f.slice(0, 600));
        }
        const calls = [...tally.values()].reduce((a, b) => a + b, 0);
        const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
        const report = {
          engine: e.engine,
          seed: SEED,
          runsPerRoute: RUNS,
          routes: routes.length,
          calls,
          violations: failures.length,
          outcomes: sorted(tally),
          generated: Object.fromEntries(
            [...generated]
              .sort()
              .map(([c, m]) => [c, { calls: [...m.values()].reduce((a, b) => a + b, 0), outcomes: sorted(m) }]),
          ),
        };
        console.log(`api-fuzz (${e.engine}): ${JSON.stringify(report)}`);
        await writeResult(`hostile-api-fuzz-${e.engine}.json`, report);
        // The report proves the generators ran: every payload class was sent, random JSON and broken fields reached
        // the validator (input.invalid, not only the JSON parser), and the unbroken body of a route was accepted
        // somewhere — a fuzzer whose every call died at the parser would pass the checks above and test nothing.
        const answered = (c: string) => report.generated[c]?.outcomes ?? {};
        for (const c of ['body: json', 'body: mutate', 'body: proto', 'body: valid', 'body: broken', 'body: no body'])
          assert.ok(report.generated[c]?.calls, `the fuzzer generated no «${c}»`);
        for (const c of ['id: generated', 'id: a real one', 'query: generated'])
          assert.ok(report.generated[c]?.calls, `the fuzzer generated no «${c}»`);
        assert.ok(answered('body: mutate')['400 input.invalid'], 'a mutated body reached the validator');
        assert.ok(answered('body: broken')['400 input.json'], 'broken JSON reached the parser');
        assert.ok(
          Object.keys(answered('body: valid')).some((o) => o.startsWith('2')),
          'an unbroken body was accepted at least once',
        );
        assert.deepEqual([...kinds.values()], [], `${failures.length} contract violations`);
        assert.equal(
          after.proceedings - before.proceedings,
          created.proceedings,
          'proceedings only through 201 responses',
        );
        assert.equal(after.requests - before.requests, created.requests, 'requests only through 201 responses');
        assert.ok(after.answers - before.answers <= created.answers, 'answers only through 2xx responses');
      },
    );

    test('router errors (malformed %-encoding, an over-long path segment) keep the error contract', async () => {
      for (const url of [
        '/api/v1/requests/%zz',
        '/api/v1/requests/%',
        `/api/v1/proceedings/${'y'.repeat(101)}`,
        `/api/v1/requests/${'x'.repeat(5000)}/check`,
      ]) {
        const res = await send('GET', url, undefined);
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, url);
        const j = res.json() as { error?: { code?: unknown; message?: unknown } };
        assert.equal(typeof j.error?.code, 'string', `${url}: ${res.body.slice(0, 200)}`);
        assert.equal(typeof j.error?.message, 'string', url);
      }
    });

    test('a NUL character (\\u0000) in any text field is refused as input naming the field, not a 500', async () => {
      const proceeding = {
        number: 'NUL-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      };
      const cases: [string, string, unknown][] = [
        ['POST', '/api/v1/tokens', { name: 'a\u0000b' }],
        ['POST', '/api/v1/proceedings', { ...proceeding, number: 'N\u0000' }],
        ['POST', '/api/v1/proceedings', { ...proceeding, debtor: { ...example.debtor, surname: 'Ив\u0000' } }],
        [
          'POST',
          '/api/v1/requests',
          {
            proceedingId,
            requestedBody: { id: 'kz-central', party: 'KZ', name: 'К' },
            items: example.items,
            grounds: 'g\u0000',
          },
        ],
      ];
      for (const [method, url, value] of cases) {
        const res = await send(method, url, { value });
        assert.ok(
          res.statusCode >= 400 && res.statusCode < 500,
          `${method} ${url} ${JSON.stringify(value).slice(0, 80)}: ${res.statusCode} ${res.body.slice(0, 200)}`,
        );
      }
    });

    test('a 2 MB JSON body is refused with 413 input.too_large', async () => {
      for (const url of ['/api/v1/proceedings', '/api/v1/requests', `/api/v1/requests/${requestId}/steps`]) {
        const big = JSON.stringify({ number: 'BIG', pad: 'x'.repeat(2 * 1024 * 1024) });
        const res = await send('POST', url, { raw: big });
        assert.equal(res.statusCode, 413, `${url}: ${res.body.slice(0, 200)}`);
        assert.equal(res.json().error.code, 'input.too_large');
      }
    });

    test('JSON nested 10 000 deep is a 4xx, never a 5xx', async () => {
      for (const [route, raw] of [
        [{ method: 'POST', path: '/api/v1/proceedings' }, nested(10_000)],
        [{ method: 'POST', path: '/api/v1/proceedings' }, nestedArr(10_000)],
        [
          { method: 'POST', path: '/api/v1/requests' },
          `{"proceedingId":"${proceedingId}","requestedBody":${nested(10_000)},"items":[]}`,
        ],
        [
          { method: 'PUT', path: '/api/v1/requests/{id}' },
          `{"requestedBody":{"id":"kz-central","party":"KZ","name":"К"},"items":[],"otherInfo":${nestedArr(10_000)}}`,
        ],
        [
          { method: 'POST', path: '/api/v1/requests/{id}/steps' },
          `{"step":"consult","data":{"text":${nested(10_000)}}}`,
        ],
        [
          { method: 'POST', path: '/api/v1/requests/{id}/answers' },
          `{"final":true,"items":[{"itemNo":1,"outcome":"found","data":${nested(10_000)}}]}`,
        ],
      ] as [Route, string][]) {
        const url = fill(route.path, null);
        const res = await send(route.method, url, { raw });
        assert.ok(
          res.statusCode >= 400 && res.statusCode < 500,
          `${route.method} ${route.path}: ${res.statusCode} ${res.body.slice(0, 300)}`,
        );
        assert.equal(typeof res.json().error.code, 'string');
      }
    });
  });
}
