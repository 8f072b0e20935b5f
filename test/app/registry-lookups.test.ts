// Issue 17 item 2 on real storage (PGlite and PostgreSQL) with real HTTP
// registries on loopback: a received request is looked up after its receipt,
// by a job, only for the items it asks (R9.1), every lookup audited with its
// purpose; the draft waits for the officer, or is sent automatically for the
// item kinds an administrator allowed; a registry that times out, answers
// garbage or whose circuit is open leaves the request for manual answering
// with a clear Russian reason.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { answerRequest } from '../../src/app/answer-request.js';
import { draftAnswerFromRegistries } from '../../src/app/draft-answer-from-registries.js';
import { getRequest } from '../../src/app/get-request.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { refuseRequest } from '../../src/app/refuse-request.js';
import { purgeExpiredData } from '../../src/app/purge-expired-data.js';
import { setRetentionRule } from '../../src/app/set-retention-rule.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { buildRegistryConnectors } from '../../src/adapters/registries/connectors.js';
import { parseRegistriesConfig } from '../../src/config/registries.js';
import { PROJECT_ROOT } from '../../src/config/config.js';
import { LOOKUP_KINDS, type LookupKind } from '../../src/domain/registry-lookups.js';
import type { Item } from '../../src/domain/request.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry.js';
import { aRequest } from '../support/requests.js';
import path from 'node:path';

const FEDERATION: Actor = { kind: 'system', name: 'federation' };

/** The fields of each kind, mapped one to one from a record (`/records` holds them). */
const FIELDS: Record<LookupKind, Record<string, unknown>> = {
  proceedings: { number: '/number', executiveDocument: '/document' },
  accounts: { bank: '/bank', number: '/number', 'balance.value': '/balance', 'balance.currency': { value: 'KZT' } },
  realEstate: { description: '/description', address: '/address' },
  vehicles: { description: '/description', vin: '/vin' },
  shares: { issuer: '/issuer', description: '/description' },
  employer: { name: '/name', position: '/position' },
  income: {
    from: '/from',
    to: '/to',
    'amount.value': '/amount',
    'amount.currency': { value: 'KZT' },
    source: '/source',
  },
  addresses: { address: '/address', kind: '/kind' },
};

const RECORDS: Record<LookupKind, unknown[]> = {
  proceedings: [{ number: '02-0541-24/1187', document: 'Исполнительный лист № 2-3310/2024' }],
  accounts: [
    { bank: 'АО «Каспи Банк»', number: 'KZ86722S000001234567', balance: '845120.35' },
    { bank: 'АО «Халык Банк»', number: 'KZ22601A871000765432' },
  ],
  realEstate: [{ description: 'Квартира, 64,3 кв. м', address: 'г. Алматы, мкр. Орбита-2, д. 14, кв. 37' }],
  vehicles: [{ description: 'Тойота Камри', vin: 'JTNB11HK403012345' }],
  shares: [{ issuer: 'ТОО «Алатау Логистик»', description: 'доля 25 %' }],
  employer: [{ name: 'ТОО «Алатау Логистик»', position: 'заместитель директора' }],
  income: [{ from: '2025-01-01', to: '2025-12-31', amount: 7260000, source: 'заработная плата' }],
  addresses: [{ address: 'г. Алматы, мкр. Орбита-2, д. 14, кв. 37', kind: 'место жительства' }],
};

for (const e of ENGINES) {
  describe(`issue 17.2: answers drafted from domestic registries on ${e.engine}`, () => {
    let kz: TestNode;
    let reg: FakeRegistry;
    let officer: Officer;
    let n = 0;

    /** KZ's context with every kind connected to the fake registry (`/<kind>`), and the given changes. */
    async function withRegistries(
      over: { autoSend?: string[]; timeoutMs?: number; failures?: number; retries?: number } = {},
    ): Promise<AppContext> {
      const lookups = Object.fromEntries(
        LOOKUP_KINDS.map((k) => [
          k,
          {
            connector: 'http-json',
            title: `Реестр «${k}» (проверка)`,
            url: `${reg.url}/${k}`,
            timeoutMs: over.timeoutMs ?? 5000,
            retries: over.retries ?? 0,
            backoffMs: 0,
            breaker: { failures: over.failures ?? 5, openSeconds: 60 },
            mapping: { records: '/records', fields: FIELDS[k] },
          },
        ]),
      );
      const config = await parseRegistriesConfig(
        { lookups, autoSend: over.autoSend ?? [] },
        tmpdir(),
        'registries.json',
      );
      const registries = await buildRegistryConnectors(config, {
        clock: kz.clock,
        dataDir: path.join(PROJECT_ROOT, 'data'),
      });
      return { ...kz.ctx, registries };
    }

    async function receive(ctx: AppContext, items: Item[]): Promise<string> {
      n += 1;
      const r = await receiveRequest(ctx, FEDERATION, {
        messageId: `m-registries-${randomUUID()}`,
        fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
        toBodyId: 'kz-central',
        receivedAt: kz.clock.now().toISOString(),
        document: aRequest((d) => {
          d.number = `77001/26/REG-${n}`;
          d.items = items;
        }),
      });
      return r.id;
    }

    const draftRow = (id: string) =>
      kz.ctx.db.selectFrom('answer_drafts').selectAll().where('request_id', '=', id).executeTakeFirst();
    const audit = (id: string, action: string) =>
      kz.ctx.db
        .selectFrom('audit_log')
        .select(['actor', 'details'])
        .where('request_id', '=', id)
        .where('action', '=', action)
        .orderBy('seq')
        .execute();

    before(async () => {
      kz = nodeOn(await e.open(), 'KZ');
      await seedBody(kz.ctx, { id: 'kz-central', party: 'KZ', kind: 'central' });
      officer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      reg = await startFakeRegistry();
      for (const k of LOOKUP_KINDS) reg.set(`/${k}`, { kind: 'json', body: { records: RECORDS[k] } });
    });
    after(async () => {
      await reg.close();
      await kz.database.close();
    });

    test('R9.1: after the receipt, by a job, only the items asked; each lookup audited with its purpose', async () => {
      const ctx = await withRegistries();
      const before = reg.log.length;
      const id = await receive(ctx, [{ kind: 'property', subItems: ['a'] }]);
      // The receipt asked no registry: a pending job.
      assert.equal(reg.log.length, before);
      assert.equal((await draftRow(id))?.status, 'pending');
      assert.equal(await draftAnswerFromRegistries(ctx), 1);
      const asked = reg.log.slice(before).map((c) => c.path);
      assert.deepEqual(asked, ['/accounts'], 'a request asking only for accounts never reaches the land registry');
      const call = reg.log.at(-1)!.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(call.debtor as object).sort(), [
        'birthDate',
        'ids',
        'latinName',
        'name',
        'patronymic',
        'surname',
        'type',
      ]);
      const v = await getRequest(ctx, officer, id);
      assert.equal(v.answerDraft?.status, 'ready');
      const item = v.answerDraft!.draft!.items[0]!;
      assert.equal(item.outcome, 'found');
      assert.equal(item.complete, true);
      assert.deepEqual(item.data?.accounts?.[0], {
        bank: 'АО «Каспи Банк»',
        number: 'KZ86722S000001234567',
        balance: { value: 845120.35, currency: 'KZT' },
      });
      assert.deepEqual(item.sources, [
        { kind: 'accounts', source: 'Реестр «accounts» (проверка)', status: 'found', count: 2 },
      ]);
      const lookups = await audit(id, 'registry.lookup');
      assert.equal(lookups.length, 1);
      assert.equal(lookups[0]!.actor, 'system:registries');
      const d = lookups[0]!.details as Record<string, unknown>;
      assert.equal(d.registry, 'Реестр «accounts» (проверка)');
      assert.deepEqual(d.provisions, ['6.a']);
      assert.deepEqual(d.itemNos, [1]);
      assert.match(
        String(d.purpose),
        /^Исполнение запроса № 77001\/26\/REG-\d+ \(Россия\): пункт 1 \(ст\. 6 а\)\) Соглашения$/,
      );
      assert.equal((await audit(id, 'registry.draft')).length, 1);
      // The draft is read with the request (R9.1): the read names it.
      const reads = await audit(id, 'personal_data.read');
      assert.deepEqual((reads.at(-1)!.details as { parts: string[] }).parts, ['request', 'answer_draft']);
      // Nothing is sent without the officer.
      assert.equal(v.state, 'received');
      assert.equal(v.answers.length, 0);
    });

    test('R7.c, R9.1: employment asks the employer and income registries only, income for the period asked', async () => {
      const ctx = await withRegistries();
      const before = reg.log.length;
      const id = await receive(ctx, [
        { kind: 'employment_income', income: true, period: { from: '2024-01-01', to: '2026-06-30' } },
        { kind: 'documents', description: 'Справка о составе семьи' },
      ]);
      await draftAnswerFromRegistries(ctx);
      const calls = reg.log.slice(before);
      assert.deepEqual(
        calls.map((c) => c.path),
        ['/income'],
      );
      assert.deepEqual((calls[0]!.body as { period: unknown }).period, { from: '2024-01-01', to: '2026-06-30' });
      const v = await getRequest(ctx, officer, id);
      assert.deepEqual(
        v.answerDraft!.draft!.items.map((i) => i.itemNo),
        [1],
        'documents are for the officer',
      );
    });

    test(
      'a registry that times out leaves the request for manual answering, with the reason in Russian',
      { timeout: 60_000 },
      async () => {
        reg.set('/accounts', { kind: 'hang' });
        try {
          const ctx = await withRegistries({ timeoutMs: 150 });
          const id = await receive(ctx, [{ kind: 'property', subItems: ['a'] }]);
          await draftAnswerFromRegistries(ctx);
          const v = await getRequest(ctx, officer, id);
          assert.equal(v.answerDraft?.status, 'failed');
          assert.equal(
            v.answerDraft?.failure,
            '«Реестр «accounts» (проверка)» (счета и вклады) — реестр не ответил в отведённое время',
          );
          assert.equal(v.state, 'received');
          // The officer answers by hand; the failed draft goes with the final answer.
          await answerRequest(ctx, officer, {
            requestId: id,
            final: true,
            items: [{ itemNo: 1, outcome: 'not_found' }],
          });
          assert.equal(await draftRow(id), undefined);
        } finally {
          reg.set('/accounts', { kind: 'json', body: { records: RECORDS.accounts } });
        }
      },
    );

    test('garbage from a registry is never drafted: the request waits for the officer, the reason says so', async () => {
      reg.set('/addresses', { kind: 'raw', text: '<html>Техническое обслуживание</html>' });
      reg.set('/employer', { kind: 'json', body: { records: [{ position: 'без названия работодателя' }] } });
      try {
        const ctx = await withRegistries();
        const id = await receive(ctx, [
          { kind: 'location', target: 'debtor' },
          { kind: 'employment_income', workplace: true },
        ]);
        await draftAnswerFromRegistries(ctx);
        const v = await getRequest(ctx, officer, id);
        assert.equal(v.answerDraft?.status, 'failed');
        assert.match(
          v.answerDraft!.failure!,
          /^«Реестр «addresses» \(проверка\)» \(адреса\) — реестр вернул сведения в непонятном виде; «Реестр «employer» \(проверка\)» \(место работы\) — реестр вернул сведения в непонятном виде$/,
        );
        assert.deepEqual(
          v.answerDraft!.draft!.items.map((i) => [i.itemNo, i.outcome, i.data]),
          [
            [1, null, undefined],
            [2, null, undefined],
          ],
        );
      } finally {
        reg.set('/addresses', { kind: 'json', body: { records: RECORDS.addresses } });
        reg.set('/employer', { kind: 'json', body: { records: RECORDS.employer } });
      }
    });

    test('a registry with an open circuit is not asked; the reason says it is paused after failures', async () => {
      reg.set('/vehicles', { kind: 'status', status: 500 });
      try {
        const ctx = await withRegistries({ failures: 1 });
        const first = await receive(ctx, [{ kind: 'property', subItems: ['c'] }]);
        await draftAnswerFromRegistries(ctx);
        assert.match(
          (await getRequest(ctx, officer, first)).answerDraft!.failure!,
          /недоступен или сообщил о внутренней ошибке/,
        );
        const calls = reg.calls('/vehicles').length;
        const second = await receive(ctx, [{ kind: 'property', subItems: ['c'] }]);
        await draftAnswerFromRegistries(ctx);
        assert.equal(reg.calls('/vehicles').length, calls, 'the open circuit made no call');
        assert.match(
          (await getRequest(ctx, officer, second)).answerDraft!.failure!,
          /реестр временно не опрашивается после нескольких сбоев подряд/,
        );
      } finally {
        reg.set('/vehicles', { kind: 'json', body: { records: RECORDS.vehicles } });
      }
    });

    test('one registry failing, another answering: a draft of what came, the failure named beside it', async () => {
      reg.set('/realEstate', { kind: 'status', status: 502 });
      try {
        const ctx = await withRegistries();
        const id = await receive(ctx, [{ kind: 'property', subItems: ['a', 'b'] }]);
        await draftAnswerFromRegistries(ctx);
        const v = await getRequest(ctx, officer, id);
        assert.equal(v.answerDraft?.status, 'ready');
        const item = v.answerDraft!.draft!.items[0]!;
        assert.equal(item.complete, false);
        assert.deepEqual(
          item.sources.map((s) => [s.kind, s.status, s.failure ?? null]),
          [
            ['accounts', 'found', null],
            ['realEstate', 'failed', 'unavailable'],
          ],
        );
      } finally {
        reg.set('/realEstate', { kind: 'json', body: { records: RECORDS.realEstate } });
      }
    });

    test('automatic sending, per item kind: the allowed items are sent signed by the body, the rest wait', async () => {
      const ctx = await withRegistries({ autoSend: ['location'] });
      const id = await receive(ctx, [
        { kind: 'location', target: 'debtor' },
        { kind: 'employment_income', workplace: true },
      ]);
      await draftAnswerFromRegistries(ctx);
      const v = await getRequest(ctx, officer, id);
      assert.equal(v.state, 'partially_answered');
      assert.deepEqual(
        v.answers.map((a) => [a.itemNo, a.outcome, a.final]),
        [[1, 'found', false]],
      );
      assert.deepEqual(v.answers[0]!.data, { addresses: RECORDS.addresses });
      const sent = await kz.ctx.db.selectFrom('outbox').select('type').where('request_id', '=', id).execute();
      assert.deepEqual(
        sent.map((m) => m.type),
        ['answer_partial'],
      );
      const answered = await audit(id, 'request.answer_partial');
      assert.equal(answered[0]!.actor, 'system:registries');
      // The employer waits for the officer in the draft; the address is marked sent.
      assert.deepEqual(
        v.answerDraft!.draft!.items.map((i) => [i.itemNo, i.sent?.by ?? null]),
        [
          [1, 'auto'],
          [2, null],
        ],
      );
      // The officer signs the rest: the draft ends with the final answer.
      await answerRequest(ctx, officer, {
        requestId: id,
        final: true,
        items: [{ itemNo: 2, outcome: 'found', data: v.answerDraft!.draft!.items[1]!.data }],
      });
      assert.equal((await getRequest(ctx, officer, id)).state, 'answered');
      assert.equal(await draftRow(id), undefined);
    });

    test('automatic sending of the whole request is a final answer; without permission nothing is sent', async () => {
      const items: Item[] = [
        { kind: 'location', target: 'debtor' },
        { kind: 'employment_income', workplace: true, income: true, period: { from: '2025-01-01', to: '2025-12-31' } },
      ];
      const auto = await withRegistries({ autoSend: ['location', 'employment_income'] });
      const id = await receive(auto, items);
      await draftAnswerFromRegistries(auto);
      const v = await getRequest(auto, officer, id);
      assert.equal(v.state, 'answered');
      assert.deepEqual(
        v.answers.map((a) => [a.itemNo, a.final]),
        [
          [1, true],
          [2, true],
        ],
      );
      const row = await kz.ctx.db.selectFrom('answers').select('created_by').where('request_id', '=', id).execute();
      assert.ok(
        row.every((r) => r.created_by === null),
        'no officer signed it',
      );
      assert.equal(await draftRow(id), undefined);

      const manual = await withRegistries({ autoSend: [] });
      const other = await receive(manual, items);
      await draftAnswerFromRegistries(manual);
      const w = await getRequest(manual, officer, other);
      assert.equal(w.state, 'received');
      assert.equal(w.answerDraft?.status, 'ready');
    });

    test('R-KZ: a request touching Kazakhstan’s Article 6(a) reservation is never sent automatically', async () => {
      const ctx = await withRegistries({ autoSend: ['property', 'location'] });
      const id = await receive(ctx, [
        { kind: 'property', subItems: ['a'] },
        { kind: 'location', target: 'debtor' },
      ]);
      await draftAnswerFromRegistries(ctx);
      const v = await getRequest(ctx, officer, id);
      assert.ok(v.receiptCheck!.notices.some((x) => x.code === 'R-KZ'));
      assert.equal(v.state, 'received');
      assert.equal(v.answerDraft?.status, 'ready');
    });

    test('a lookup interrupted again and again ends as failed, for the officer', async () => {
      const ctx = await withRegistries();
      const id = await receive(ctx, [{ kind: 'location', target: 'debtor' }]);
      // As if three processes died mid-lookup: the lease expired, three claims made.
      await kz.ctx.db
        .updateTable('answer_drafts')
        .set({ status: 'looking_up', attempts: 3, lease_until: new Date(kz.clock.now().getTime() - 1) })
        .where('request_id', '=', id)
        .execute();
      const calls = reg.log.length;
      await draftAnswerFromRegistries(ctx);
      assert.equal(reg.log.length, calls);
      const v = await getRequest(ctx, officer, id);
      assert.equal(v.answerDraft?.status, 'failed');
      assert.match(v.answerDraft!.failure!, /поиск в реестрах прерывался несколько раз/);
    });

    test('R9.6: the draft of a refused request is no longer shown, and goes with the request’s document at the purge', async () => {
      const ctx = await withRegistries();
      const id = await receive(ctx, [{ kind: 'location', target: 'debtor' }]);
      await draftAnswerFromRegistries(ctx);
      await refuseRequest(ctx, officer, {
        requestId: id,
        ground: 'law',
        circumstances: 'Противоречит законодательству.',
      });
      assert.equal((await getRequest(ctx, officer, id)).answerDraft, null);
      assert.equal((await draftRow(id))?.status, 'ready');
      const admin = await seedOfficer(kz.ctx, 'kz-central', ['admin']);
      await setRetentionRule(ctx, admin, { party: 'RU', months: 1, legalBasis: 'Закон Российской Федерации' });
      const DAY = 86_400_000;
      kz.clock.advance(40 * DAY);
      try {
        const r = await purgeExpiredData(ctx, FEDERATION);
        assert.ok(r.requests.includes(id));
        assert.equal(await draftRow(id), undefined);
      } finally {
        kz.clock.advance(-40 * DAY);
      }
    });

    test('a node without connectors queues nothing; a request with nothing in a registry’s gift neither', async () => {
      const none = await receive(kz.ctx, [{ kind: 'property', subItems: ['a'] }]);
      assert.equal(await draftRow(none), undefined);
      const ctx = await withRegistries();
      const docs = await receive(ctx, [{ kind: 'documents', description: 'Копия решения' }]);
      assert.equal(await draftRow(docs), undefined);
    });
  });
}
