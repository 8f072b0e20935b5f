// Node throughput with 100k requests stored, PGlite and PostgreSQL side by
// side: requests created (draft + sign use cases, outbox included) and the
// officer's incoming list and search (issue: node "Done when").
import type { Bench } from 'tinybench';
import { sql } from 'kysely';
import { benchEngines, STORED } from './engines.js';
import { createProceeding } from '../src/app/create-proceeding.js';
import { draftRequest } from '../src/app/draft-request.js';
import { listRequests } from '../src/app/list-requests.js';
import { signRequest } from '../src/app/sign-request.js';
import { aRequest } from '../test/support/requests.js';
import { nodeOn, seedBody, seedOfficer } from '../test/support/app.js';
import type { Suite } from './run.js';

const cleanups: (() => Promise<void>)[] = [];

export const suite: Suite & { teardown(): Promise<void> } = {
  name: 'node',
  description: `use cases on real storage with ${STORED} incoming requests stored (ops/s)`,
  async add(bench: Bench) {
    const example = aRequest();
    for (const [engine, database] of await benchEngines('bench', cleanups)) {
      const node = nodeOn(database, 'RU');
      const body = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      const officer = await seedOfficer(node.ctx, body);
      const { id: proceedingId } = await createProceeding(node.ctx, officer, {
        number: 'BENCH-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      const t0 = Date.now();
      const hit = node.ctx.sealer.blindIndex('np:ivanov');
      await sql`insert into requests (direction, number, body_id, counterpart_party, counterpart_body, state, document_enc, key_id,
          received_at, received_on, deadline, deadline_basis, message_id, search_keys)
        select 'incoming', 'KZ/2026/' || g, ${body}, 'KZ', '{"id":"kz-central","party":"KZ","name":"Казахстан"}'::jsonb,
          (array['received','in_progress','partially_answered','answered','refused'])[1 + g % 5],
          decode(md5(g::text), 'hex'), 'kbench', now(), current_date - (g % 60), current_date + (g % 60) - 10, 'R12.a', 'bench-' || g,
          case when g % 1000 = 0 then array[${hit}::text] else array[md5('k' || (g % 5000)::text)] end
        from generate_series(1, ${STORED}) g`.execute(node.ctx.db);
      await sql`analyze requests`.execute(node.ctx.db);
      process.stderr.write(`${engine}: ${STORED} requests stored in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      const content = {
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: example.items,
        grounds: example.grounds,
      };
      bench.add(`${engine}: create request (draft + sign + outbox)`, async () => {
        const d = await draftRequest(node.ctx, officer, { proceedingId, ...content });
        await signRequest(node.ctx, officer, { requestId: d.id });
      });
      bench.add(`${engine}: incoming list, first page by deadline`, async () => {
        await listRequests(node.ctx, officer, {
          direction: 'incoming',
          states: ['received', 'in_progress', 'partially_answered'],
          limit: 50,
        });
      });
      bench.add(`${engine}: incoming search by debtor name`, async () => {
        await listRequests(node.ctx, officer, { direction: 'incoming', query: 'Иванов', limit: 50 });
      });
    }
  },
  async teardown() {
    for (const c of cleanups.reverse()) await c();
  },
};
