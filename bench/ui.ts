// Server time of the officer's main pages with 100k requests stored, PGlite
// and PostgreSQL side by side (the UI's bar: under 200 ms per page). Pages are
// rendered in-process (fastify inject), so the time is the server's alone.
import type { Bench } from 'tinybench';
import { sql } from 'kysely';
import { hashPassword } from '../src/adapters/crypto/passwords.js';
import { benchEngines, STORED } from './engines.js';
import { buildServer } from '../src/adapters/http/server.js';
import { createProceeding } from '../src/app/create-proceeding.js';
import { draftRequest } from '../src/app/draft-request.js';
import { openSession } from '../src/app/sessions.js';
import { aRequest } from '../test/support/requests.js';
import { nodeOn, seedBody, seedOfficer } from '../test/support/app.js';
import type { BenchRow, Suite } from './run.js';

const cleanups: (() => Promise<void>)[] = [];

export const suite: Suite = {
  name: 'ui',
  description: `server time of the officer's pages with ${STORED} requests stored (ops/s; mean and p99 in µs)`,
  async add(bench: Bench) {
    const example = aRequest();
    for (const [engine, database] of await benchEngines('bench-ui', cleanups)) {
      const node = nodeOn(database, 'RU');
      const body = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      const officer = await seedOfficer(node.ctx, body);
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
      const { id: requestId } = await draftRequest(node.ctx, officer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      await sql`insert into requests (direction, number, body_id, counterpart_party, counterpart_body, state, document_enc, key_id, received_at, received_on, deadline, deadline_basis, message_id, search_keys)
        select 'incoming', 'KZ/2026/' || g, ${body}, 'KZ', '{"id":"kz-central","party":"KZ","name":"Казахстан"}'::jsonb,
          (array['received','in_progress','partially_answered','answered','refused'])[1 + g % 5], decode(md5(g::text), 'hex'), 'kbench', now(),
          current_date - (g % 60), current_date + (g % 60) - 10, 'R12.a', 'ui-' || g, array[md5('k' || (g % 5000)::text)]
        from generate_series(1, ${STORED}) g`.execute(database.db);
      await sql`analyze requests`.execute(database.db);
      const app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 10_000_000 });
      cleanups.unshift(() => app.close());
      const s = await openSession(node.ctx, { login: officer.login, password: 'bench-password-1' });
      const cookie = `eix_session=${s.token}`;
      const get = async (url: string) => {
        const r = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode}`);
      };
      bench.add(`${engine}: dashboard (incoming by deadline, outgoing, counters)`, () => get('/'));
      bench.add(`${engine}: dashboard search by debtor name`, () => get('/?q=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2'));
      bench.add(`${engine}: request view`, () => get(`/requests/${requestId}`));
      bench.add(`${engine}: request wizard`, () => get(`/requests/new?proceeding=${proceedingId}`));
      bench.add(`${engine}: proceedings list`, () => get('/proceedings'));
    }
  },
  async teardown() {
    for (const c of cleanups) await c();
  },
  summarize(rows: readonly BenchRow[]) {
    const worst = rows.reduce((a, b) => (b.p99Micros > a.p99Micros ? b : a));
    return { 'slowest page p99 (ms)': `${(worst.p99Micros / 1000).toFixed(1)} — ${worst.task}`, 'bar (ms)': 200 };
  },
};
