// The request use cases on real storage (PGlite, and PostgreSQL when
// EIX_TEST_DATABASE_URL is set): a Russian node asks a Kazakh node, each on
// its own database, as in production.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { computeDeadline } from '../../src/domain/calendar.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { reviseDraft } from '../../src/app/revise-draft.js';
import { signRequest } from '../../src/app/sign-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { listRequests } from '../../src/app/list-requests.js';
import { getRequest } from '../../src/app/get-request.js';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { refuseRequest } from '../../src/app/refuse-request.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { recordPaperOriginal } from '../../src/app/record-paper-original.js';
import { purgeExpiredData } from '../../src/app/purge-expired-data.js';
import { exportReceivedData } from '../../src/app/export-received-data.js';
import { recordDisclosureConsent, requestDisclosureConsent } from '../../src/app/request-disclosure-consent.js';
import { verifyAuditLog } from '../../src/app/audit.js';
import type { Actor, Officer } from '../../src/app/context.js';
import type { Request } from '../../src/domain/request.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const example = aRequest();

function proceedingInput(number: string) {
  return {
    number,
    openedOn: '2026-03-02',
    debtor: example.debtor,
    creditor: example.creditor,
    executiveDocuments: [example.executiveDocument],
  };
}

function content(extra: Record<string, unknown> = {}) {
  return {
    requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
    items: example.items,
    grounds: example.grounds,
    ...extra,
  };
}

/** Raw bytes of every row of a table, as text, to prove no plaintext is stored. */
async function rawTable(node: TestNode, table: string): Promise<string> {
  const r = await sql<{
    t: string;
  }>`select coalesce(string_agg(t::text, ' '), '') as t from ${sql.table(table)} t`.execute(node.ctx.db);
  return r.rows[0]!.t;
}

for (const e of ENGINES) {
  describe(`request use cases on ${e.engine}`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let ruBody: string;
    let officer: Officer;
    let stranger: Officer;
    let kzOfficer: Officer;
    let kzCentral: Officer;
    let kzTerritorial: string;

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', ru.clock);
      ruBody = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, ruBody);
      stranger = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: 'ru-fssp-78' }));
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      kzTerritorial = await seedBody(kz.ctx, { id: 'kz-almaty', kind: 'territorial', parentId: 'kz-central' });
      kzOfficer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      kzCentral = await seedOfficer(kz.ctx, 'kz-central', ['officer', 'central']);
    });
    after(async () => {
      await ru.database.close();
      await kz.database.close();
    });

    // One life told step by step: each step works on what the step before made, so the steps are subtests of one
    // test, which runs alone as a whole (ARCHITECTURE.md, house rule 14).
    test('one request’s life on both nodes, step by step: registered, drafted, signed, received, worked on, answered, archived, forwarded, exported, purged', async (t) => {
      let proceedingId: string;
      let outgoingId: string;
      let messageId: string;
      let incomingId: string;
      await t.test(
        'R10.b, R11.1: a proceeding is registered with checked parties; bad input names the field and stores nothing',
        async () => {
          proceedingId = (await createProceeding(ru.ctx, officer, proceedingInput('123456/26/77001-ИП'))).id;
          await rejects(
            createProceeding(ru.ctx, officer, proceedingInput('123456/26/77001-ИП')),
            'proceeding.exists',
            'number',
          );
          await rejects(
            createProceeding(ru.ctx, officer, { ...proceedingInput('X-1'), openedOn: '2026-02-30' }),
            'input.invalid',
            'openedOn',
          );
          const noName = { ...proceedingInput('X-2'), debtor: { ...example.debtor, surname: undefined } };
          const err = await rejects(
            createProceeding(ru.ctx, officer, JSON.parse(JSON.stringify(noName))),
            'input.invalid',
            'debtor.surname',
          );
          assert.match(err.message, /[а-я]/);
          const admin = await seedOfficer(ru.ctx, ruBody, ['admin']);
          await rejects(createProceeding(ru.ctx, admin, proceedingInput('X-3')), 'access.denied');
          const n = await ru.ctx.db
            .selectFrom('proceedings')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow();
          assert.equal(Number(n.n), 1);
        },
      );

      await t.test(
        'R10.b: only officers of the body holding the proceeding draft in it; a draft reports every problem at once',
        async () => {
          await rejects(draftRequest(ru.ctx, stranger, { proceedingId, ...content() }), 'proceeding.not_found');
          const d = await draftRequest(ru.ctx, officer, {
            proceedingId,
            ...content({ grounds: undefined, items: [] }),
          });
          assert.equal(d.state, 'draft');
          assert.equal(d.check.ok, false);
          const paths = d.check.errors.map((x) => x.path);
          assert.ok(paths.includes('grounds') && paths.includes('items'), JSON.stringify(paths));
          outgoingId = d.id;
          await rejects(
            signRequest(ru.ctx, officer, { requestId: outgoingId }),
            'request.invalid',
            d.check.errors[0]!.path,
          );
          assert.equal((await getRequest(ru.ctx, officer, outgoingId)).state, 'draft');
        },
      );

      await t.test(
        'R11, R-pair: signing a complete request queues it in the outbox; a request to a Party not bound today is refused',
        async () => {
          const toAm = await reviseDraft(ru.ctx, officer, {
            ...content(),
            requestId: outgoingId,
            requestedBody: { id: 'am-central', party: 'AM', name: 'Армения' },
          });
          assert.ok(toAm.check.errors.some((x) => x.code.startsWith('R-pair.')));
          await rejects(
            signRequest(ru.ctx, officer, { requestId: outgoingId }),
            'request.invalid',
            'requestedBody.party',
          );
          const ok = await reviseDraft(ru.ctx, officer, { ...content(), requestId: outgoingId });
          assert.equal(ok.check.ok, true, JSON.stringify(ok.check.errors));
          assert.ok(ok.check.warnings.some((w) => w.code === 'R-KZ'));
          const signed = await signRequest(ru.ctx, officer, { requestId: outgoingId });
          assert.equal(signed.state, 'signed');
          assert.match(signed.number, /^ru-fssp-77\/2026\/000001$/);
          messageId = signed.messageId;
          const box = await ru.ctx.db
            .selectFrom('outbox')
            .selectAll()
            .where('message_id', '=', messageId)
            .executeTakeFirstOrThrow();
          assert.deepEqual(
            [box.status, box.to_party, box.to_body, box.type],
            ['pending', 'KZ', 'kz-central', 'request'],
          );
          assert.ok(!JSON.stringify(box.payload).includes('Иванов'), 'the outbox holds references, not personal data');
          await rejects(signRequest(ru.ctx, officer, { requestId: outgoingId }), 'workflow.transition');
        },
      );

      await t.test(
        'R12.a, R9.4: the requested node stores the request encrypted with its deadline; a duplicate message changes nothing',
        async () => {
          const receiptAt = '2026-11-26T10:00:00+05:00';
          const view = await getRequest(ru.ctx, officer, outgoingId);
          const input = {
            messageId,
            fromBody: { id: ruBody, party: 'RU', name: 'ГУФССП России по г. Москве' },
            toBodyId: 'kz-central',
            receivedAt: receiptAt,
            document: view.document,
          };
          const r = await receiveRequest(kz.ctx, SYSTEM, input);
          const expected = computeDeadline(await loadCalendar('KZ'), { receivedAt: new Date(receiptAt) });
          assert.deepEqual(
            [r.receivedOn, r.deadline, r.basis, r.duplicate],
            ['2026-11-26', expected.deadline, 'R12.a', false],
          );
          incomingId = r.id;
          const again = await receiveRequest(kz.ctx, SYSTEM, input);
          assert.deepEqual([again.id, again.duplicate], [incomingId, true]);
          const raw = await rawTable(kz, 'requests');
          for (const secret of ['Иванов', '500100732259', 'Тверская', 'IVANOV'])
            assert.ok(!raw.includes(secret), `plaintext ${secret} in requests`);
          await rejects(
            receiveRequest(kz.ctx, SYSTEM, {
              ...input,
              messageId: 'm-other-0001',
              fromBody: { ...input.fromBody, party: 'AM' },
            }),
            'registry.pair',
            'envelope.from.party',
          );
          await rejects(
            receiveRequest(kz.ctx, SYSTEM, {
              ...input,
              messageId: 'm-other-0002',
              document: { ...view.document, items: 'x' },
            }),
            'input.invalid',
            'document.items',
          );
          const delivered = await recordDelivery(ru.ctx, SYSTEM, { messageId, receiptAt });
          assert.equal(delivered.state, 'received');
        },
      );

      await t.test(
        'R12.c, R18: incoming list by deadline with status; search by any spelling or id; other bodies see nothing',
        async () => {
          const list = await listRequests(kz.ctx, kzOfficer, { direction: 'incoming' });
          assert.equal(list.total, 1);
          const item = list.items[0]!;
          assert.equal(item.id, incomingId);
          assert.deepEqual([item.overdue!.status, item.overdue!.workingDaysLeft], ['open', 30]);
          for (const query of ['Иванов', 'IVANOV IVAN', 'ivanov', '500100732259', 'ФС № 012345678']) {
            assert.equal((await listRequests(kz.ctx, kzOfficer, { direction: 'incoming', query })).total, 1, query);
          }
          assert.equal((await listRequests(kz.ctx, kzOfficer, { direction: 'incoming', query: 'Петров' })).total, 0);
          const other = await seedOfficer(kz.ctx, kzTerritorial);
          assert.equal((await listRequests(kz.ctx, other, { direction: 'incoming' })).total, 0);
          await rejects(getRequest(kz.ctx, other, incomingId), 'request.not_found');
          await rejects(getRequest(kz.ctx, kzOfficer, '00000000-0000-4000-8000-000000000000'), 'request.not_found');
          await rejects(listRequests(kz.ctx, kzOfficer, { direction: 'sideways' }), 'input.invalid', 'direction');
        },
      );

      await t.test(
        'R9.1: reading an incoming request decrypts it and writes an audit entry tied to the request',
        async () => {
          const before = await kz.ctx.db
            .selectFrom('audit_log')
            .select('seq')
            .where('request_id', '=', incomingId)
            .where('action', '=', 'personal_data.read')
            .execute();
          const v = await getRequest(kz.ctx, kzOfficer, incomingId);
          assert.equal((v.document.debtor as { surname: string }).surname, 'Иванов');
          assert.ok(v.actions.includes('take_into_work') && v.actions.includes('refuse'));
          const afterRead = await kz.ctx.db
            .selectFrom('audit_log')
            .select('actor')
            .where('request_id', '=', incomingId)
            .where('action', '=', 'personal_data.read')
            .execute();
          assert.equal(afterRead.length, before.length + 1);
          assert.equal(afterRead.at(-1)!.actor, `officer:${kzOfficer.login}`);
        },
      );

      await t.test('R12.c, R13.c, R14: steps are checked, recorded and queued for the other Party', async () => {
        assert.equal(
          (await actOnRequest(kz.ctx, kzOfficer, { requestId: incomingId, step: 'take_into_work' })).state,
          'in_progress',
        );
        const c = await actOnRequest(kz.ctx, kzOfficer, {
          requestId: incomingId,
          step: 'consult',
          data: { text: 'Уточните, пожалуйста, период запрашиваемых сведений о доходах.' },
        });
        assert.ok(c.messageId);
        await rejects(
          actOnRequest(kz.ctx, kzOfficer, {
            requestId: incomingId,
            step: 'notify_delay',
            data: { newDate: '2026-12-01', reason: 'Ожидается ответ банка' },
          }),
          'input.invalid',
          'data.newDate',
        );
        await rejects(
          actOnRequest(kz.ctx, kzOfficer, { requestId: incomingId, step: 'notify_delay', data: { reason: 'x' } }),
          'input.invalid',
          'data.newDate',
        );
        const d = await actOnRequest(kz.ctx, kzOfficer, {
          requestId: incomingId,
          step: 'notify_delay',
          data: { newDate: '2027-02-15', reason: 'Ожидается ответ банка' },
        });
        assert.equal(d.state, 'in_progress');
        assert.equal(
          (await listRequests(kz.ctx, kzOfficer, { direction: 'incoming' })).items[0]!.delayUntil,
          '2027-02-15',
        );
        await rejects(
          actOnRequest(kz.ctx, kzOfficer, { requestId: incomingId, step: 'accept_conditions' }),
          'workflow.actor',
        );
        await rejects(actOnRequest(kz.ctx, kzOfficer, { requestId: incomingId, step: 'fly' }), 'input.invalid', 'step');
      });

      await t.test(
        'answers: partial then final per item, with encrypted attachments; bad answers leave nothing half-written',
        async () => {
          await rejects(
            answerRequest(kz.ctx, kzOfficer, {
              requestId: incomingId,
              final: false,
              items: [{ itemNo: 9, outcome: 'not_found' }],
            }),
            'answer.item',
            'items[0].itemNo',
          );
          await rejects(
            answerRequest(kz.ctx, kzOfficer, {
              requestId: incomingId,
              final: true,
              items: [{ itemNo: 1, outcome: 'not_found' }],
            }),
            'input.invalid',
            'items',
          );
          const big = Buffer.alloc(kz.ctx.limits.attachmentBytes + 1, 1).toString('base64');
          await rejects(
            answerRequest(kz.ctx, kzOfficer, {
              requestId: incomingId,
              final: false,
              items: [
                {
                  itemNo: 2,
                  outcome: 'found',
                  attachments: [{ fileName: 'a.pdf', mediaType: 'application/pdf', contentBase64: big }],
                },
              ],
            }),
            'attachment.too_large',
          );
          assert.equal((await kz.ctx.db.selectFrom('answers').select('id').execute()).length, 0);
          const partial = await answerRequest(kz.ctx, kzOfficer, {
            requestId: incomingId,
            final: false,
            items: [
              {
                itemNo: 2,
                outcome: 'partial',
                data: {
                  accounts: [
                    { bank: 'АО «Народный банк Казахстана»', number: 'KZ86125KZT5004100100', currency: 'KZT' },
                  ],
                  text: 'Сведения о вкладах предоставлены в части, не противоречащей законодательству Республики Казахстан.',
                },
                attachments: [
                  {
                    fileName: 'выписка.txt',
                    mediaType: 'text/plain',
                    contentBase64: Buffer.from('Выписка по счёту KZ86125KZT5004100100').toString('base64'),
                  },
                ],
              },
            ],
          });
          assert.equal(partial.state, 'partially_answered');
          const final = await answerRequest(kz.ctx, kzOfficer, {
            requestId: incomingId,
            final: true,
            items: [
              { itemNo: 1, outcome: 'not_found' },
              {
                itemNo: 3,
                outcome: 'found',
                data: {
                  employer: { name: 'ТОО «Алматы Строй»', position: 'инженер' },
                  income: [
                    {
                      from: '2025-01-01',
                      to: '2025-12-31',
                      amount: { value: 4_800_000, currency: 'KZT' },
                      source: 'заработная плата',
                    },
                  ],
                  disclosureProcedure: {
                    description: 'Сведения о доходах раскрываются взыскателю по определению суда Республики Казахстан',
                    body: 'Специализированный межрайонный экономический суд г. Алматы',
                  },
                },
              },
              {
                itemNo: 4,
                outcome: 'found',
                data: { addresses: [{ address: 'г. Алматы, пр. Абая, д. 10, кв. 5', kind: 'место жительства' }] },
              },
            ],
          });
          assert.equal(final.state, 'answered');
          const raw = (await rawTable(kz, 'answers')) + (await rawTable(kz, 'attachments'));
          for (const secret of ['KZ86125KZT5004100100', 'Алматы Строй', 'Абая', 'Выписка'])
            assert.ok(!raw.includes(secret), `plaintext ${secret}`);
          await rejects(
            answerRequest(kz.ctx, kzOfficer, {
              requestId: incomingId,
              final: true,
              items: [{ itemNo: 1, outcome: 'not_found' }],
            }),
            'workflow.transition',
          );
          const outbox = await kz.ctx.db
            .selectFrom('outbox')
            .select(['type'])
            .where('request_id', '=', incomingId)
            .orderBy('id')
            .execute();
          assert.deepEqual(
            outbox.map((o) => o.type),
            ['consult', 'notify_delay', 'answer_partial', 'answer_final'],
          );
        },
      );

      await t.test(
        'R9.1, R9.4: the requesting node stores received answers encrypted and logs every read',
        async () => {
          const given = await getRequest(kz.ctx, kzOfficer, incomingId);
          const byItem = (final: boolean) =>
            given.answers
              .filter((a) => a.final === final)
              .map((a) => ({ itemNo: a.itemNo, outcome: a.outcome as 'found', data: a.data as object }));
          const attachment = {
            fileName: 'выписка.txt',
            mediaType: 'text/plain',
            contentBase64: Buffer.from('Выписка по счёту KZ86125KZT5004100100').toString('base64'),
          };
          const partialItems = byItem(false).map((i) => ({ ...i, attachments: [attachment] }));
          const first = await receiveAnswer(ru.ctx, SYSTEM, {
            messageId: 'ans-partial-01',
            requestMessageId: messageId,
            final: false,
            items: partialItems,
          });
          assert.equal(first.state, 'partially_answered');
          assert.equal(
            (
              await receiveAnswer(ru.ctx, SYSTEM, {
                messageId: 'ans-partial-01',
                requestMessageId: messageId,
                final: false,
                items: partialItems,
              })
            ).duplicate,
            true,
          );
          assert.equal(
            (
              await receiveAnswer(ru.ctx, SYSTEM, {
                messageId: 'ans-final-01',
                requestMessageId: messageId,
                final: true,
                items: byItem(true),
              })
            ).state,
            'answered',
          );
          const raw = (await rawTable(ru, 'answers')) + (await rawTable(ru, 'attachments'));
          for (const secret of ['Алматы Строй', 'KZ86125KZT5004100100', 'Выписка'])
            assert.ok(!raw.includes(secret), `plaintext ${secret}`);
          const v = await getRequest(ru.ctx, officer, outgoingId);
          assert.equal(v.state, 'answered');
          assert.equal(v.answers.length, 4);
          assert.equal(
            (v.answers.find((a) => a.itemNo === 3)!.data as { employer: { name: string } }).employer.name,
            'ТОО «Алматы Строй»',
          );
          const reads = await ru.ctx.db
            .selectFrom('audit_log')
            .select('action')
            .where('request_id', '=', outgoingId)
            .where('action', '=', 'personal_data.read')
            .execute();
          assert.equal(reads.length, 1);
          await rejects(getRequest(ru.ctx, stranger, outgoingId), 'request.not_found');
        },
      );

      await t.test('R10.a: the paper original’s dispatch is recorded once the request was sent', async () => {
        await rejects(
          recordPaperOriginal(ru.ctx, officer, { requestId: outgoingId, dispatchedOn: '2030-01-01', means: 'post' }),
          'input.invalid',
          'dispatchedOn',
        );
        await recordPaperOriginal(ru.ctx, officer, {
          requestId: outgoingId,
          dispatchedOn: '2026-11-26',
          means: 'post',
          tracking: 'RA123456789RU',
        });
        assert.deepEqual((await getRequest(ru.ctx, officer, outgoingId)).paperOriginals, [
          {
            document: 'request',
            movement: 'dispatch',
            datedOn: '2026-11-26',
            means: 'post',
            tracking: 'RA123456789RU',
          },
        ]);
      });

      await t.test(
        'R13.a, R18: a central body forwards to a territorial body; the territorial body refuses with a ground',
        async () => {
          const doc = (await getRequest(ru.ctx, officer, outgoingId)).document as Request;
          const r = await receiveRequest(kz.ctx, SYSTEM, {
            messageId: 'second-request-01',
            fromBody: { id: ruBody, party: 'RU', name: 'ГУФССП' },
            toBodyId: 'kz-central',
            receivedAt: '2026-11-26T11:00:00+05:00',
            document: { ...doc, number: 'ru-fssp-77/2026/000002' },
          });
          await rejects(
            forwardRequest(kz.ctx, kzOfficer, { requestId: r.id, toBodyId: kzTerritorial }),
            'access.denied',
          );
          await rejects(
            forwardRequest(kz.ctx, kzCentral, { requestId: r.id, toBodyId: 'ru-fssp-77' }),
            'body.not_found',
            'toBodyId',
          );
          const f = await forwardRequest(kz.ctx, kzCentral, { requestId: r.id, toBodyId: kzTerritorial });
          assert.equal(f.bodyId, kzTerritorial);
          const almaty = await seedOfficer(kz.ctx, kzTerritorial);
          assert.equal((await listRequests(kz.ctx, almaty, { direction: 'incoming' })).total, 1);
          assert.equal(
            (await listRequests(kz.ctx, kzCentral, { direction: 'incoming' })).total,
            2,
            'the central body sees its Party’s traffic',
          );
          await rejects(
            refuseRequest(kz.ctx, almaty, { requestId: r.id, ground: 'declaration', circumstances: 'x' }),
            'input.invalid',
            'declarationParty',
          );
          await rejects(
            refuseRequest(kz.ctx, almaty, { requestId: r.id, ground: 'weather', circumstances: 'x' }),
            'input.invalid',
            'ground',
          );
          const refused = await refuseRequest(kz.ctx, almaty, {
            requestId: r.id,
            ground: 'law',
            circumstances: 'Исполнение противоречит законодательству Республики Казахстан о банковской тайне.',
          });
          assert.equal(refused.state, 'refused');
        },
      );

      await t.test(
        'R9.2, R9.3: third-party export needs the providing Party’s consent; the creditor extract carries its special procedure',
        async () => {
          await rejects(
            exportReceivedData(ru.ctx, officer, { requestId: outgoingId, recipient: 'third_party' }),
            'consent.required',
            'consentId',
          );
          const asked = await requestDisclosureConsent(ru.ctx, officer, {
            requestId: outgoingId,
            recipient: 'Налоговый орган г. Москвы',
            purpose: 'Проверка доходов должника',
          });
          await rejects(
            exportReceivedData(ru.ctx, officer, {
              requestId: outgoingId,
              recipient: 'third_party',
              consentId: asked.consentId,
            }),
            'consent.required',
          );
          assert.equal(
            (await recordDisclosureConsent(ru.ctx, SYSTEM, { consentId: asked.consentId, granted: true })).status,
            'granted',
          );
          const third = await exportReceivedData(ru.ctx, officer, {
            requestId: outgoingId,
            recipient: 'third_party',
            consentId: asked.consentId,
          });
          assert.equal(third.items.length, 4);
          const creditor = await exportReceivedData(ru.ctx, officer, { requestId: outgoingId, recipient: 'creditor' });
          assert.equal(
            creditor.disclosureProcedures[0]!.body,
            'Специализированный межрайонный экономический суд г. Алматы',
          );
          assert.match(creditor.notice, /особый порядок раскрытия/);
          await rejects(
            exportReceivedData(ru.ctx, stranger, { requestId: outgoingId, recipient: 'creditor' }),
            'request.not_found',
          );
          const exports = await ru.ctx.db
            .selectFrom('audit_log')
            .select('action')
            .where('action', 'like', 'personal_data.export.%')
            .execute();
          assert.equal(exports.length, 2);
        },
      );

      await t.test(
        'R9.6: after the retention period received answers are destroyed, leaving a tombstone and an audit entry',
        async () => {
          await ru.ctx.db
            .insertInto('retention_rules')
            .values({ party: 'RU', months: 6, legal_basis: 'Федеральный закон «Об исполнительном производстве»' })
            .execute();
          assert.equal((await purgeExpiredData(ru.ctx, SYSTEM)).totals.answers, 0);
          ru.clock.advance(200 * 86_400_000);
          const p = await purgeExpiredData(ru.ctx, SYSTEM);
          assert.deepEqual([p.totals.answers, p.totals.attachments, p.requests], [4, 1, [outgoingId]]);
          const rows = await ru.ctx.db.selectFrom('answers').select(['data_enc', 'purged_at']).execute();
          assert.ok(rows.every((r) => r.data_enc === null && r.purged_at !== null));
          const files = await ru.ctx.db.selectFrom('attachments').select(['content_enc', 'purged_at']).execute();
          assert.ok(files.every((f) => f.content_enc === null && f.purged_at !== null));
          const v = await getRequest(ru.ctx, officer, outgoingId);
          assert.ok(v.answers.every((a) => a.purged && a.data === null));
          assert.equal(
            (
              await ru.ctx.db
                .selectFrom('audit_log')
                .select('seq')
                .where('action', '=', 'personal_data.purge')
                .execute()
            ).length,
            1,
          );
          assert.equal((await purgeExpiredData(ru.ctx, SYSTEM)).totals.answers, 0);
          ru.clock.advance(-200 * 86_400_000);
        },
      );
    });

    test('R9.1: the audit chain verifies, and an edited entry is detected and named', async () => {
      // Entries of its own (a request received and read twice), so that entry 3 exists when this test runs alone.
      const own = await receiveRequest(kz.ctx, SYSTEM, {
        messageId: 'audit-chain-request-01',
        fromBody: { id: ruBody, party: 'RU', name: 'ГУФССП России по г. Москве' },
        toBodyId: 'kz-central',
        receivedAt: '2026-11-26T12:00:00+05:00',
        document: aRequest((r) => Object.assign(r, { number: 'ru-fssp-77/2026/000099' })),
      });
      await getRequest(kz.ctx, kzOfficer, own.id);
      await getRequest(kz.ctx, kzOfficer, own.id);
      const entries = await kz.ctx.db.selectFrom('audit_log').select('seq').execute();
      assert.ok(entries.length >= 3, `${entries.length} audit entries`);
      const ok = await verifyAuditLog(kz.ctx.db, { key: kz.ctx.auditKey?.key });
      assert.equal(ok.ok, true);
      assert.deepEqual(
        await verifyAuditLog(kz.ctx.db, { key: kz.ctx.auditKey?.key, pageSize: 2 }),
        ok,
        'the same verdict page by page',
      );
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(kz.ctx.db);
      await sql`update audit_log set actor = 'officer:nobody' where seq = 3`.execute(kz.ctx.db);
      await sql`alter table audit_log enable trigger audit_log_no_update`.execute(kz.ctx.db);
      const broken = await verifyAuditLog(kz.ctx.db, { key: kz.ctx.auditKey?.key });
      assert.equal(broken.ok, false);
      assert.equal(!broken.ok && broken.brokenAt, 3);
      assert.deepEqual(
        await verifyAuditLog(kz.ctx.db, { key: kz.ctx.auditKey?.key, pageSize: 2 }),
        broken,
        'the same verdict across a page boundary',
      );
    });
  });
}
