// Node throughput with 100k requests stored, PGlite and PostgreSQL side by
// side: requests created (draft + sign use cases, outbox included) and the
// officer's incoming list and search (issue: node "Done when").
import type { Bench } from 'tinybench';
import { benchEngines, STORED } from './engines.js';
import { createProceeding } from '../src/app/create-proceeding.js';
import { draftRequest } from '../src/app/draft-request.js';
import { listRequests } from '../src/app/list-requests.js';
import { signRequest } from '../src/app/sign-request.js';
import { aRequest } from '../test/support/requests.js';
import { nodeOn, seedBody, seedOfficer } from '../test/support/app.js';
import { partyDay } from '../src/domain/parties.js';
import { seedRequests } from './seed-requests.js';
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
      // Sealed documents: the list unseals the debtors it shows (issue 14).
      await seedRequests(node.ctx, {
        bodies: [body],
        proceedingId,
        count: STORED,
        today: partyDay(node.ctx.clock.now(), 'RU'),
      });
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
