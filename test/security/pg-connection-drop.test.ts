// PostgreSQL connections killed under the use cases (pg_terminate_backend from
// another session, as a failover or an administrator would): the calls in
// flight fail with an error instead of hanging, no transaction is left half
// written, and the same pool serves the next calls. PostgreSQL only: skipped
// unless a PostgreSQL for tests answers (see test/support/db.ts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/adapters/db/database.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { TEST_DATABASE_URL } from '../support/db.js';
import { halfWritten } from '../support/invariants.js';
import { writeResult } from '../support/results.js';
import { isStorageUnavailable } from '../../src/adapters/http/errors.js';

const url = TEST_DATABASE_URL;
const example = JSON.parse(
  readFileSync(new URL('../../data/examples/request-ru-kz.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const kzBody = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };
const items = [
  { kind: 'property', subItems: ['a', 'b'] },
  { kind: 'employment_income', workplace: true, income: true, period: { from: '2024-01-01', to: '2026-10-31' } },
];

describe(
  'PostgreSQL backends terminated under the use cases',
  { skip: url ? false : 'no PostgreSQL for tests (EIX_TEST_DATABASE_URL)' },
  () => {
    const app = `eix-victim-${randomBytes(4).toString('hex')}`;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let database: Database;
    let node: TestNode;
    let actor: Officer;
    let proceedingId: string;
    let admin: pg.Client;
    // Harness: src/adapters/db/database.ts creates its pg.Pool without an 'error'
    // listener, so a terminated backend is an uncaught exception that would end
    // the test run (see the child-process test below). Here the pool and its
    // clients get a recording listener, i.e. what the fix would add.
    const poolErrors: string[] = [];
    const RealPool = pg.Pool;
    class ListeningPool extends RealPool {
      constructor(...a: ConstructorParameters<typeof RealPool>) {
        super(...a);
        this.on('error', (e) => {
          poolErrors.push(`pool: ${e.message}`);
        });
        this.on('connect', (c) => {
          c.on('error', (e) => {
            poolErrors.push(`client: ${e.message}`);
          });
        });
      }
    }

    before(async () => {
      const victim = new URL(url!);
      victim.searchParams.set('application_name', app);
      (pg as { Pool: unknown }).Pool = ListeningPool;
      try {
        database = await openDatabase({ url: victim.toString(), schema });
      } finally {
        (pg as { Pool: unknown }).Pool = RealPool;
      }
      node = nodeOn(database, 'RU');
      // A body the demo treaty designates (R18): only designated bodies may sign requests.
      const body = await seedBody(node.ctx, { id: 'ru-fssp-77', kind: 'territorial' });
      actor = await seedOfficer(node.ctx, body);
      proceedingId = (
        (await createProceeding(node.ctx, actor, {
          number: `${randomBytes(3).toString('hex')}/26/77001-ИП`,
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })) as { id: string }
      ).id;
      admin = new pg.Client({ connectionString: url!, options: `-c search_path=${schema}` });
      await admin.connect();
    });
    after(async () => {
      await database?.close().catch(() => undefined);
      if (admin) {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    });

    const terminate = async () =>
      Number(
        (
          await admin.query(
            'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = $1',
            [app],
          )
        ).rows[0].n,
      );
    const count = async (q: string) => Number((await admin.query(q)).rows[0].n);
    const waitUntil = async (ok: () => boolean, capMs: number) => {
      for (const t0 = Date.now(); !ok() && Date.now() - t0 < capMs;) await new Promise((r) => setTimeout(r, 50));
    };
    const withTimeout = <T>(p: Promise<T>, ms: number) =>
      Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`hung for ${ms} ms`)), ms))]);

    test('drafts and signatures in flight fail with an error, nothing is half written, the pool recovers', async () => {
      const started = Date.now();
      const outcomes: { ok: boolean; error?: unknown; ms: number }[] = [];
      const signable: string[] = [];
      for (let i = 0; i < 10; i++)
        signable.push(
          (
            await draftRequest(node.ctx, actor, {
              proceedingId,
              requestedBody: kzBody,
              items,
              grounds: 'Должник проживает в Республике Казахстан.',
            })
          ).id,
        );
      const baseline = await count('select count(*)::int as n from requests');
      let stop = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const t = Date.now();
          const call: Promise<unknown> =
            w % 4 === 0 && signable.length
              ? signRequest(node.ctx, actor, { requestId: signable.pop()! })
              : draftRequest(node.ctx, actor, {
                  proceedingId,
                  requestedBody: kzBody,
                  items,
                  grounds: `Поток ${w}, вызов ${i}.`,
                });
          try {
            await withTimeout(call, 15_000);
            outcomes.push({ ok: true, ms: Date.now() - t });
          } catch (e) {
            outcomes.push({ ok: false, error: e, ms: Date.now() - t });
          }
        }
      };
      const workers = Array.from({ length: 24 }, (_, w) => worker(w));
      const killed: number[] = [];
      for (let round = 0; round < 5; round++) {
        await new Promise((r) => setTimeout(r, 250));
        killed.push(await terminate());
      }
      await new Promise((r) => setTimeout(r, 250));
      stop = true;
      await withTimeout(Promise.all(workers), 20_000);

      const failed = outcomes.filter((o) => !o.ok);
      const ok = outcomes.length - failed.length;
      const messages = new Map<string, number>();
      for (const f of failed) {
        const m = (f.error as Error)?.message ?? String(f.error);
        messages.set(m, (messages.get(m) ?? 0) + 1);
      }
      const drops = {
        calls: outcomes.length,
        ok,
        failed: failed.length,
        backendsTerminated: killed,
        slowestMs: Math.max(...outcomes.map((o) => o.ms)),
        errors: Object.fromEntries(messages),
        poolErrorEvents: poolErrors.length,
      };
      console.log(JSON.stringify(drops));
      assert.ok(killed.reduce((a, b) => a + b, 0) > 0, 'some backends were terminated');
      // The kill hit calls in flight: they failed with a lost connection (what the API answers 503
      // storage.unavailable), not with anything else.
      assert.ok(failed.length > 0, 'some calls failed');
      for (const f of failed) {
        assert.ok(f.error instanceof Error, `rejects with an Error: ${String(f.error)}`);
        assert.ok(isStorageUnavailable(f.error), `failed for the lost connection: ${(f.error as Error).message}`);
      }
      assert.ok(!failed.some((f) => /hung for/.test((f.error as Error).message)), 'no call hung');

      // Consistency: every request has its two items and its audit entry; no orphan items; signed ones have a number and an outbox row.
      const requests = await count('select count(*)::int as n from requests');
      const broken = await halfWritten(admin, 2);
      const drafted = outcomes.length; // upper bound of new rows
      console.log(JSON.stringify({ baseline, requests, newRequests: requests - baseline, okCalls: ok, ...broken }));
      await writeResult('security-pg-connection-drop.json', {
        ...drops,
        newRequests: requests - baseline,
        halfWritten: broken,
      });
      assert.deepEqual(
        Object.values(broken).filter((n) => n !== 0),
        [],
        JSON.stringify(broken),
      );
      assert.ok(requests - baseline <= drafted);

      // The same pool works again.
      const again = await withTimeout(
        draftRequest(node.ctx, actor, {
          proceedingId,
          requestedBody: kzBody,
          items,
          grounds: 'После обрыва соединений.',
        }),
        10_000,
      );
      const signed = await withTimeout(signRequest(node.ctx, actor, { requestId: again.id }), 10_000);
      assert.equal(signed.state, 'signed');
      console.log(`recovered; total ${Date.now() - started} ms`);
    });

    test('a backend killed while idle in the pool: the next call gets a fresh connection', async () => {
      const before = poolErrors.length;
      await Promise.all(
        Array.from({ length: 10 }, () => node.ctx.db.selectFrom('requests').select('id').limit(1).execute()),
      );
      const killed = await terminate();
      // Each killed connection reaches the pool as an 'error' event, after which the pool drops it (a call
      // taking a connection before its notice arrived would still meet the dead one, and get a 503).
      const dropped = () => poolErrors.slice(before).filter((e) => e.startsWith('pool:')).length;
      await waitUntil(() => dropped() >= killed, 5_000);
      console.log(JSON.stringify({ idleKilled: killed, errorEvents: poolErrors.slice(before) }));
      assert.ok(killed > 0, 'idle pooled backends were terminated');
      assert.equal(dropped(), killed, 'the pool saw each of its idle connections end');
      const r = await withTimeout(
        draftRequest(node.ctx, actor, {
          proceedingId,
          requestedBody: kzBody,
          items,
          grounds: 'После обрыва простаивающих соединений.',
        }),
        10_000,
      );
      assert.ok(r.id);
    });

    test('without the harness: an idle pooled connection terminated by the server does not crash the process', async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `
      import { openDatabase } from './src/adapters/db/database.ts';
      const u = new URL(${JSON.stringify(url)}); u.searchParams.set('application_name', '${app}-child');
      const d = await openDatabase({ url: u.toString(), schema: '${schema}', migrate: false });
      await Promise.all([1, 2, 3].map(() => d.db.selectFrom('requests').select('id').limit(1).execute()));
      console.log('ready');
      setTimeout(async () => { console.log('survived'); await d.close(); process.exit(0); }, 3000);
    `,
        ],
        { cwd: new URL('../..', import.meta.url).pathname, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready')) resolve();
        }),
      );
      const killed = Number(
        (
          await admin.query(
            'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1',
            [`${app}-child`],
          )
        ).rows[0].n,
      );
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      const firstErr = /Error[^\n]*|error: [^\n]*/.exec(err)?.[0] ?? '';
      console.log(
        JSON.stringify({
          childKilledBackends: killed,
          exitCode: code,
          survived: out.includes('survived'),
          stderr: firstErr,
        }),
      );
      assert.ok(killed > 0, 'the child’s idle backends were terminated');
      assert.equal(code, 0, `the node process died: ${firstErr}`);
    });
  },
);
