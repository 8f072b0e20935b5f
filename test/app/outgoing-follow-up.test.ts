// What the requesting officer follows after sending (real storage, PGlite and
// PostgreSQL when EIX_TEST_DATABASE_URL is set): the R10.a reminder of paper
// originals not yet posted and the R4.c cross-border picture of a proceeding.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { countMissingPaperOriginals, latePaperOriginalsOf } from '../../src/app/check-paper-originals.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getCrossBorderPicture } from '../../src/app/get-cross-border-picture.js';
import { getRequest } from '../../src/app/get-request.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { recordPaperOriginal } from '../../src/app/record-paper-original.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { localDate } from '../../src/domain/dates.js';
import { PAPER_DUE_DAYS } from '../../src/domain/paper-original.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const DAY = 86_400_000;
const example = aRequest();
const content = {
  requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
  items: example.items,
  grounds: example.grounds,
};

for (const e of ENGINES) {
  describe(`follow-up of sent requests on ${e.engine}`, () => {
    let ru: TestNode;
    let officer: Officer;
    let stranger: Officer;
    let proceedingId: string;
    let sentId: string;
    let requestMessageId: string;

    before(async () => {
      ru = nodeOn(await e.open(), 'RU');
      const body = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, body);
      stranger = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: 'ru-fssp-78' }));
      proceedingId = (
        await createProceeding(ru.ctx, officer, {
          number: '777/26/77001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      const sent = await draftRequest(ru.ctx, officer, { proceedingId, ...content });
      const signed = await signRequest(ru.ctx, officer, { requestId: sent.id });
      sentId = sent.id;
      requestMessageId = signed.messageId;
      await recordDelivery(ru.ctx, SYSTEM, { messageId: signed.messageId, receiptAt: ru.clock.now().toISOString() });
      await draftRequest(ru.ctx, officer, { proceedingId, ...content }); // a draft is never reminded of
    });
    after(async () => {
      await ru.database.close();
    });

    test(`R10.a: a sent request without a recorded paper original is reminded of after ${PAPER_DUE_DAYS} days, not before`, async () => {
      const overdue = async () =>
        latePaperOriginalsOf(ru.ctx, await getRequest(ru.ctx, officer, sentId)).includes('request');
      assert.equal(await countMissingPaperOriginals(ru.ctx, officer), 0);
      assert.equal(await overdue(), false);
      ru.clock.advance(PAPER_DUE_DAYS * DAY);
      assert.equal(await countMissingPaperOriginals(ru.ctx, officer), 0, 'due on the last day, not yet late');
      assert.equal(await overdue(), false);
      ru.clock.advance(1);
      assert.equal(await countMissingPaperOriginals(ru.ctx, officer), 1);
      // A later change (the other Party acted on it) does not reset the count: it runs from sending.
      await ru.ctx.db.updateTable('requests').set({ updated_at: ru.clock.now() }).where('id', '=', sentId).execute();
      assert.equal(
        await countMissingPaperOriginals(ru.ctx, officer),
        1,
        'measured from sending, not from the last change',
      );
      assert.equal(await overdue(), true);
      assert.equal(await countMissingPaperOriginals(ru.ctx, stranger), 0, 'another body is not reminded of ours');
      await recordPaperOriginal(ru.ctx, officer, {
        requestId: sentId,
        dispatchedOn: localDate(ru.clock.now(), 'UTC'),
        means: 'post',
      });
      assert.equal(await countMissingPaperOriginals(ru.ctx, officer), 0);
      assert.equal(await overdue(), false);
      const admin = await seedOfficer(ru.ctx, officer.bodyId, ['admin']);
      await rejects(countMissingPaperOriginals(ru.ctx, admin), 'access.denied');
    });

    test('R4.c: the cross-border picture lists what the requested Party reported as collected, arrested or for sale', async () => {
      const before = await getCrossBorderPicture(ru.ctx, officer, proceedingId);
      assert.equal(before.proceeding.id, proceedingId);
      assert.equal(before.proceeding.requests.length, 2);
      assert.deepEqual(before.picture, [], 'nothing answered yet');
      const money = (value: number) => ({ value, currency: 'KZT' });
      await receiveAnswer(ru.ctx, SYSTEM, {
        messageId: 'ans-picture-01',
        requestMessageId,
        final: true,
        items: [
          {
            itemNo: 1,
            outcome: 'found',
            data: {
              proceedings: [
                { number: 'KZ-2026-0001', collected: money(150_000), arrested: money(2_000_000) },
                { number: 'KZ-2026-0002', forSale: money(900_000) },
              ],
            },
          },
          { itemNo: 2, outcome: 'not_found' },
          { itemNo: 3, outcome: 'found', data: { employer: { name: 'ТОО «Алматы Строй»' } } },
          { itemNo: 4, outcome: 'not_found' },
        ],
      });
      const reads = async () =>
        (
          await ru.ctx.db
            .selectFrom('audit_log')
            .select('seq')
            .where('request_id', '=', sentId)
            .where('action', '=', 'personal_data.read')
            .execute()
        ).length;
      const readsBefore = await reads();
      const { picture } = await getCrossBorderPicture(ru.ctx, officer, proceedingId);
      assert.deepEqual(
        picture.map((x) => ({ ...x })),
        [
          {
            party: 'KZ',
            number: 'KZ-2026-0001',
            collected: money(150_000),
            arrested: money(2_000_000),
            forSale: undefined,
          },
          { party: 'KZ', number: 'KZ-2026-0002', collected: undefined, arrested: undefined, forSale: money(900_000) },
        ],
      );
      assert.equal(await reads(), readsBefore + 1, 'R9.1: reading the answers is logged against the request');
      await rejects(getCrossBorderPicture(ru.ctx, stranger, proceedingId), 'proceeding.not_found');
    });
  });
}
