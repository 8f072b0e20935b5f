// Issue 12, items 5 and 7 on real storage (PGlite, and PostgreSQL when it
// answers): refusal on an Article 25 declaration names only a Party whose
// declaration covers the request (R13.d); conditions only after a consultation
// (R15); no answer while the requesting body decides on confidentiality, and
// confidential requests seen only by their body and the central body (R16);
// paper originals of requests, answers and refusals both ways (R10.a).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { applyRemoteStep } from '../../src/app/apply-remote-step.js';
import { countMissingPaperOriginals } from '../../src/app/check-paper-originals.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { getProceeding } from '../../src/app/list-proceedings.js';
import { getRequest } from '../../src/app/get-request.js';
import { listRequests } from '../../src/app/list-requests.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { recordPaperOriginal } from '../../src/app/record-paper-original.js';
import { refuseRequest } from '../../src/app/refuse-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { localDate } from '../../src/domain/dates.js';
import { PAPER_DUE_DAYS } from '../../src/domain/paper-original.js';
import type { Request } from '../../src/domain/request.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const DAY = 86_400_000;
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const ALL_NOT_FOUND = [1, 2, 3, 4].map((itemNo) => ({ itemNo, outcome: 'not_found' as const }));

for (const e of ENGINES) {
  describe(`Articles 10, 13, 15, 16 in the workflow on ${e.engine}`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let ruOfficer: Officer;
    let kzOfficer: Officer;
    let kzCentral: Officer;
    let almatyOfficer: Officer;
    let astanaCentral: Officer;
    let n = 0;

    /** An incoming request on the KZ node (the RU node sent it as message `id`). */
    async function incoming(change: (r: Request) => void = () => undefined): Promise<string> {
      n += 1;
      const r = await receiveRequest(kz.ctx, SYSTEM, {
        messageId: `tw-${e.engine}-${n}-message`,
        fromBody: RU_BODY,
        toBodyId: 'kz-central',
        receivedAt: kz.clock.now().toISOString(),
        document: aRequest((d) => {
          d.number = `ru-fssp-77/2026/9${String(n).padStart(5, '0')}`;
          change(d);
        }),
      });
      return r.id;
    }

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', ru.clock);
      await seedBody(ru.ctx, { id: 'ru-fssp-77', name: RU_BODY.name });
      ruOfficer = await seedOfficer(ru.ctx, 'ru-fssp-77');
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      await seedBody(kz.ctx, { id: 'kz-almaty', kind: 'territorial', parentId: 'kz-central' });
      await seedBody(kz.ctx, { id: 'kz-astana', kind: 'territorial', parentId: 'kz-central' });
      kzOfficer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      kzCentral = await seedOfficer(kz.ctx, 'kz-central', ['officer', 'central']);
      almatyOfficer = await seedOfficer(kz.ctx, 'kz-almaty', ['officer']);
      astanaCentral = await seedOfficer(kz.ctx, 'kz-astana', ['officer', 'central']);
    });
    after(async () => {
      await ru.database.close();
      await kz.database.close();
    });

    test('R13.d: a refusal on a declaration names only a Party whose Article 25 declaration covers the document and provisions', async () => {
      // Demo treaty: RU declared it does not apply the Agreement to notarised documents (wholly).
      const notarial = await incoming((d) => {
        d.executiveDocument!.issuer = { kind: 'notary', name: 'Нотариус г. Москвы Смирнова О. П.' };
      });
      assert.deepEqual((await getRequest(kz.ctx, kzOfficer, notarial)).declarationParties, ['RU']);
      for (const party of ['KZ', 'AM']) {
        const err = await rejects(
          refuseRequest(kz.ctx, kzOfficer, {
            requestId: notarial,
            ground: 'declaration',
            circumstances: 'x',
            declarationParty: party,
          }),
          'refusal.declaration_party',
          'declarationParty',
        );
        assert.match(err.message, /Россия/);
      }
      await rejects(
        refuseRequest(kz.ctx, kzOfficer, { requestId: notarial, ground: 'declaration', circumstances: 'x' }),
        'input.invalid',
        'declarationParty',
      );
      await rejects(
        refuseRequest(kz.ctx, kzOfficer, {
          requestId: notarial,
          ground: 'law',
          circumstances: 'x',
          declarationParty: 'RU',
        }),
        'input.invalid',
        'declarationParty',
      );
      const refused = await refuseRequest(kz.ctx, kzOfficer, {
        requestId: notarial,
        ground: 'declaration',
        circumstances: 'Исполнительный документ нотариально заверен; Российская Федерация заявила о неприменении',
        declarationParty: 'RU',
      });
      assert.equal(refused.state, 'refused');
      // A court's document: no declaration covers it (RU's non-judicial 6.a declaration lapsed; KZ's 6.a is a reservation).
      const court = await incoming();
      assert.deepEqual((await getRequest(kz.ctx, kzOfficer, court)).declarationParties, []);
      await rejects(
        refuseRequest(kz.ctx, kzOfficer, {
          requestId: court,
          ground: 'declaration',
          circumstances: 'x',
          declarationParty: 'RU',
        }),
        'refusal.declaration_party',
        'declarationParty',
      );
      // An authority's document is not notarial: RU's notarial declaration does not cover it (R25.a).
      const authority = await incoming((d) => {
        d.executiveDocument!.issuer = { kind: 'authority', name: 'Налоговый орган' };
      });
      assert.deepEqual((await getRequest(kz.ctx, kzOfficer, authority)).declarationParties, []);
      assert.equal((await getRequest(kz.ctx, kzOfficer, court)).state, 'received', 'nothing half-written');
    });

    test('R15: conditions only after a consultation with the requesting body on this request, on both nodes', async () => {
      const id = await incoming();
      await actOnRequest(kz.ctx, kzOfficer, { requestId: id, step: 'take_into_work' });
      assert.ok(!(await getRequest(kz.ctx, kzOfficer, id)).actions.includes('propose_conditions'));
      await rejects(
        actOnRequest(kz.ctx, kzOfficer, {
          requestId: id,
          step: 'propose_conditions',
          data: { conditions: 'после ареста' },
        }),
        'workflow.consultation_required',
      );
      await actOnRequest(kz.ctx, kzOfficer, {
        requestId: id,
        step: 'consult',
        data: { text: 'Исполнение помешает аресту' },
      });
      assert.ok((await getRequest(kz.ctx, kzOfficer, id)).actions.includes('propose_conditions'));
      const r = await actOnRequest(kz.ctx, kzOfficer, {
        requestId: id,
        step: 'propose_conditions',
        data: { conditions: 'Сведения будут представлены после ареста имущества' },
      });
      assert.equal(r.state, 'postponed');
    });

    test('R15, R16: the requesting node applies the same rules to the other Party’s steps', async () => {
      const proceedingId = (
        await createProceeding(ru.ctx, ruOfficer, {
          number: `tw-${e.engine}/26/77001-ИП`,
          openedOn: '2026-03-02',
          debtor: aRequest().debtor,
          creditor: aRequest().creditor,
          executiveDocuments: [aRequest().executiveDocument],
        })
      ).id;
      const d = await draftRequest(ru.ctx, ruOfficer, {
        proceedingId,
        requestedBody: aRequest().requestedBody,
        items: aRequest().items,
        grounds: aRequest().grounds,
        confidential: true,
      });
      const signed = await signRequest(ru.ctx, ruOfficer, { requestId: d.id });
      await recordDelivery(ru.ctx, SYSTEM, { messageId: signed.messageId, receiptAt: ru.clock.now().toISOString() });
      const remote = (messageId: string, event: string, data: Record<string, unknown>) =>
        applyRemoteStep(ru.ctx, SYSTEM, {
          messageId,
          requestMessageId: signed.messageId,
          by: 'requested',
          event,
          data,
        });
      await rejects(
        remote('tw-cond-0001', 'propose_conditions', { conditions: 'x' }),
        'workflow.consultation_required',
      );
      await rejects(
        actOnRequest(ru.ctx, ruOfficer, { requestId: d.id, step: 'continue_without_confidentiality', data: {} }),
        'workflow.confidentiality_not_notified',
      );
      await remote('tw-conf-0001', 'notify_confidentiality_impossible', { reason: 'нужен запрос в банк' });
      const view = await getRequest(ru.ctx, ruOfficer, d.id);
      assert.equal(view.confidentialityPending, true);
      assert.ok(view.actions.includes('continue_without_confidentiality') && view.actions.includes('withdraw'));
      await rejects(remote('tw-answ-0001', 'answer_partial', { items: [] }), 'workflow.confidentiality_pending');
      await actOnRequest(ru.ctx, ruOfficer, { requestId: d.id, step: 'continue_without_confidentiality', data: {} });
      assert.equal((await getRequest(ru.ctx, ruOfficer, d.id)).confidentialityPending, false);
    });

    test('R16: after «confidentiality impossible» the requested body cannot answer until the requesting body decides', async () => {
      const id = await incoming((d) => {
        d.confidential = true;
      });
      await rejects(
        applyRemoteStep(kz.ctx, SYSTEM, {
          messageId: `tw-cont-early-${e.engine}`,
          requestMessageId: (await getRequest(kz.ctx, kzOfficer, id)).messageId!,
          by: 'requesting',
          event: 'continue_without_confidentiality',
          data: {},
        }),
        'workflow.confidentiality_not_notified',
      );
      await actOnRequest(kz.ctx, kzOfficer, {
        requestId: id,
        step: 'notify_confidentiality_impossible',
        data: { reason: 'Сведения о счетах банк сообщает должнику' },
      });
      const waiting = await getRequest(kz.ctx, kzOfficer, id);
      assert.equal(waiting.confidentialityPending, true);
      assert.ok(!waiting.actions.includes('answer_partial') && !waiting.actions.includes('answer_final'));
      await rejects(
        answerRequest(kz.ctx, kzOfficer, { requestId: id, final: false, items: [{ itemNo: 1, outcome: 'not_found' }] }),
        'workflow.confidentiality_pending',
      );
      await rejects(
        answerRequest(kz.ctx, kzOfficer, { requestId: id, final: true, items: ALL_NOT_FOUND }),
        'workflow.confidentiality_pending',
      );
      assert.equal(
        (await kz.ctx.db.selectFrom('answers').select('id').where('request_id', '=', id).execute()).length,
        0,
        'nothing half-written',
      );
      await applyRemoteStep(kz.ctx, SYSTEM, {
        messageId: `tw-cont-${e.engine}`,
        requestMessageId: waiting.messageId!,
        by: 'requesting',
        event: 'continue_without_confidentiality',
        data: { note: 'Исполняйте' },
      });
      assert.ok((await getRequest(kz.ctx, kzOfficer, id)).actions.includes('answer_final'));
      const r = await answerRequest(kz.ctx, kzOfficer, { requestId: id, final: true, items: ALL_NOT_FOUND });
      assert.equal(r.state, 'answered');
    });

    test('R16: a confidential request is seen only by its body’s officers and the central body', async () => {
      const secret = await incoming((d) => {
        d.confidential = true;
      });
      const open = await incoming();
      const ids = async (o: Officer) =>
        (await listRequests(kz.ctx, o, { direction: 'incoming', limit: 200 })).items.map((i) => i.id);
      // A central-role officer of a territorial body sees the Party's open traffic, not confidential requests.
      assert.ok((await ids(astanaCentral)).includes(open));
      assert.ok(!(await ids(astanaCentral)).includes(secret));
      await rejects(getRequest(kz.ctx, astanaCentral, secret), 'request.not_found');
      assert.ok((await ids(kzOfficer)).includes(secret), 'its body’s officers');
      // Forwarded to Almaty: Almaty's officers work on it, the central body still sees it, Astana does not.
      await forwardRequest(kz.ctx, kzCentral, { requestId: secret, toBodyId: 'kz-almaty' });
      assert.equal((await getRequest(kz.ctx, almatyOfficer, secret)).id, secret);
      assert.equal((await getRequest(kz.ctx, kzCentral, secret)).id, secret);
      assert.ok((await ids(kzCentral)).includes(secret));
      await rejects(getRequest(kz.ctx, astanaCentral, secret), 'request.not_found');
      await rejects(getRequest(kz.ctx, kzOfficer, secret), 'request.not_found', undefined);
      // The requesting side: a confidential outgoing request stays out of another body's proceeding view.
      const ruOther = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: `ru-terr-${e.engine}` }), [
        'officer',
        'central',
      ]);
      const rows = await ru.ctx.db
        .selectFrom('requests')
        .select(['id', 'proceeding_id', 'confidential'])
        .where('direction', '=', 'outgoing')
        .execute();
      const conf = rows.find((r) => r.confidential)!;
      assert.ok(!(await getProceeding(ru.ctx, ruOther, conf.proceeding_id!)).requests.some((r) => r.id === conf.id));
      assert.ok((await getProceeding(ru.ctx, ruOfficer, conf.proceeding_id!)).requests.some((r) => r.id === conf.id));
    });

    test('R10.a: paper originals of the request, the answer and the refusal both ways; the reminder covers them all', async () => {
      const id = await incoming();
      const today = () => localDate(kz.clock.now(), 'UTC');
      await rejects(
        recordPaperOriginal(kz.ctx, kzOfficer, { requestId: id, dispatchedOn: today(), means: 'post' }),
        'paper.document',
        'dispatchedOn',
      );
      await recordPaperOriginal(kz.ctx, kzOfficer, { requestId: id, arrivedOn: today(), means: 'post' });
      await rejects(
        recordPaperOriginal(kz.ctx, kzOfficer, {
          requestId: id,
          document: 'answer',
          dispatchedOn: today(),
          means: 'post',
        }),
        'paper.document',
        'document',
      );
      const before = await countMissingPaperOriginals(kz.ctx, kzOfficer);
      await answerRequest(kz.ctx, kzOfficer, { requestId: id, final: true, items: ALL_NOT_FOUND });
      assert.deepEqual((await getRequest(kz.ctx, kzOfficer, id)).paperToRecord, [
        { document: 'request', movement: 'arrival' },
        { document: 'answer', movement: 'dispatch' },
      ]);
      kz.clock.advance(PAPER_DUE_DAYS * DAY + 1);
      const late = await countMissingPaperOriginals(kz.ctx, kzOfficer);
      assert.ok(late > before, `${late} > ${before}: the answer's original is reminded of`);
      await recordPaperOriginal(kz.ctx, kzOfficer, {
        requestId: id,
        document: 'answer',
        dispatchedOn: today(),
        means: 'courier',
        tracking: 'KZ0001',
      });
      assert.equal(await countMissingPaperOriginals(kz.ctx, kzOfficer), late - 1);
      assert.deepEqual(
        (await getRequest(kz.ctx, kzOfficer, id)).paperOriginals.map((p) => [p.document, p.movement, p.means]),
        [
          ['request', 'arrival', 'post'],
          ['answer', 'dispatch', 'courier'],
        ],
      );
      // A refusal's original is reminded of too, and the requesting side records its arrival.
      const refused = await incoming();
      await refuseRequest(kz.ctx, kzOfficer, {
        requestId: refused,
        ground: 'law',
        circumstances: 'Противоречит закону',
      });
      const withRefusal = await countMissingPaperOriginals(kz.ctx, kzOfficer);
      kz.clock.advance(PAPER_DUE_DAYS * DAY + 1);
      assert.equal(await countMissingPaperOriginals(kz.ctx, kzOfficer), withRefusal + 1);
      await recordPaperOriginal(kz.ctx, kzOfficer, {
        requestId: refused,
        document: 'refusal',
        dispatchedOn: today(),
        means: 'post',
      });
      assert.equal(await countMissingPaperOriginals(kz.ctx, kzOfficer), withRefusal);
      await rejects(
        recordPaperOriginal(kz.ctx, almatyOfficer, {
          requestId: refused,
          document: 'refusal',
          dispatchedOn: today(),
          means: 'post',
        }),
        'request.not_found',
      );
    });
  });
}
