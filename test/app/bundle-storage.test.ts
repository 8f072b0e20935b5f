// Issue 16: a bundle's requests are stored together (receiveRequests) and its deliveries recorded together
// (recordDeliveries), in a few multi-row statements. The bundle paths fall back to one by one when they fail,
// so the federation tests alone would pass with a broken bulk path: here each is called directly and must leave
// exactly what the one-by-one use cases leave (rows, history, audit entries, events), on both engines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { recordDeliveries, recordDelivery } from '../../src/app/record-delivery.js';
import { receiveRequest, receiveRequests, type Received } from '../../src/app/receive-request.js';
import { verifyAuditLog } from '../../src/app/audit.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { EixError } from '../../src/domain/errors.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const example = aRequest();
const RECEIPT_AT = '2026-11-26T10:00:00+05:00';

for (const e of ENGINES) {
  describe(`issue 16: a bundle stored together leaves what one by one leaves (${e.engine})`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let officer: Officer;
    /** Four signed requests: the first goes one by one, the others together. */
    const signed: { id: string; messageId: string }[] = [];

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', ru.clock);
      await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, 'ru-fssp-77');
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      const { id: proceedingId } = await createProceeding(ru.ctx, officer, {
        number: '123456/26/77001-ИП',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      for (let i = 0; i < 4; i++) {
        const d = await draftRequest(ru.ctx, officer, {
          proceedingId,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
          items: example.items,
          grounds: example.grounds,
          ...(i === 3 ? { shorterTerm: '2026-12-20' } : {}),
        });
        signed.push(await signRequest(ru.ctx, officer, { requestId: d.id }));
      }
    });
    after(async () => {
      await ru.database.close();
      await kz.database.close();
    });

    const input = async (s: { id: string; messageId: string }, extra: Record<string, unknown> = {}) => ({
      messageId: s.messageId,
      fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
      toBodyId: 'kz-central',
      receivedAt: RECEIPT_AT,
      document: (await getRequest(ru.ctx, officer, s.id)).document,
      ...extra,
    });

    /** Everything stored about one received request, without what differs by nature (ids, the message id, sealed bytes). */
    async function storedAtKz(messageId: string) {
      const r = await kz.ctx.db
        .selectFrom('requests')
        .selectAll()
        .where('message_id', '=', messageId)
        .executeTakeFirstOrThrow();
      const items = await kz.ctx.db
        .selectFrom('request_items')
        .select(['item_no', 'kind', 'provisions'])
        .where('request_id', '=', r.id)
        .orderBy('item_no')
        .execute();
      const history = await kz.ctx.db
        .selectFrom('request_events')
        .select(['event', 'side', 'officer_id', 'data'])
        .where('request_id', '=', r.id)
        .orderBy('id')
        .execute();
      const audit = await kz.ctx.db
        .selectFrom('audit_log')
        .select(['action', 'actor', 'body_id', 'subject', 'details'])
        .where('request_id', '=', r.id)
        .orderBy('seq')
        .execute();
      const events = await kz.ctx.db
        .selectFrom('events')
        .select(['kind', 'body_id', 'data'])
        .where('request_id', '=', r.id)
        .execute();
      const inboxless = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll(messageId, 'M')) as unknown;
      return inboxless({
        row: {
          ...r,
          id: undefined,
          message_id: undefined,
          number: undefined,
          document_enc: undefined,
          search_keys: r.search_keys.length,
          created_at: undefined,
          updated_at: undefined,
        },
        items,
        history,
        audit: audit.map((a) => ({ ...a, subject: undefined })),
        events,
      });
    }

    test('receiveRequests: each request checked alone, the accepted stored as receiveRequest stores one', async () => {
      const [one, two, three, four] = signed as [
        (typeof signed)[0],
        (typeof signed)[0],
        (typeof signed)[0],
        (typeof signed)[0],
      ];
      const single = await receiveRequest(kz.ctx, SYSTEM, await input(one));
      const inputs = [
        await input(two),
        await input(one),
        await input(three, { fromBody: { id: 'ru-fssp-77', party: 'AM', name: 'Армения' } }),
        await input(four),
        { messageId: 'x' },
      ];
      const results = await kz.ctx.db.transaction().execute((tx) => receiveRequests(tx, kz.ctx, SYSTEM, inputs));
      assert.equal(results.length, 5);
      const [r2, r1, r3, r4, bad] = results as [Received, Received, EixError, Received, EixError];
      assert.deepEqual([r2.duplicate, r4.duplicate], [false, false]);
      assert.deepEqual([r1.id, r1.duplicate], [single.id, true], 'a request stored before is answered as a duplicate');
      assert.ok(r3 instanceof EixError && r3.code === 'registry.pair', 'a request of a Party not bound is refused');
      assert.ok(bad instanceof EixError && bad.code === 'input.invalid', 'a malformed input is refused');
      assert.deepEqual([r2.deadline, r2.basis, r2.receivedOn], [single.deadline, single.basis, single.receivedOn]);
      assert.equal(r4.requestedBy, '2026-12-20', 'R12.b: the date asked for is kept');
      assert.deepEqual(await storedAtKz(two.messageId), await storedAtKz(one.messageId));
      const refused = await kz.ctx.db
        .selectFrom('requests')
        .select('id')
        .where('message_id', '=', three.messageId)
        .executeTakeFirst();
      assert.equal(refused, undefined, 'nothing stored for a refused request');
      assert.equal((await verifyAuditLog(kz.ctx.db, { key: kz.ctx.auditKey?.key })).ok, true, 'the audit chain holds');
    });

    /** What the requesting side keeps of a delivered request, without its id and times of writing. */
    async function storedAtRu(s: { id: string; messageId: string }) {
      const r = await ru.ctx.db.selectFrom('requests').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
      const box = await ru.ctx.db
        .selectFrom('outbox')
        .select(['status', 'delivered_at', 'last_error', 'receipt'])
        .where('message_id', '=', s.messageId)
        .executeTakeFirstOrThrow();
      const history = await ru.ctx.db
        .selectFrom('request_events')
        .select(['event', 'side', 'officer_id', 'data'])
        .where('request_id', '=', s.id)
        .orderBy('id')
        .execute();
      const audit = await ru.ctx.db
        .selectFrom('audit_log')
        .select(['action', 'actor', 'body_id', 'details'])
        .where('request_id', '=', s.id)
        .orderBy('seq')
        .execute();
      const own = (x: unknown) =>
        JSON.parse(JSON.stringify(x).replaceAll(s.messageId, 'M').replaceAll(s.id, 'R')) as unknown;
      // From the delivery on (drafting and signing differ by nature: numbers, verification codes).
      const sent = history.findIndex((h) => h.event === 'send');
      return own({
        row: [r.state, r.version, r.received_at, r.received_on, r.deadline, r.deadline_basis, r.responded_on],
        box,
        history: history.slice(sent),
        audit: audit.slice(audit.findIndex((a) => a.action === 'request.send')),
      });
    }

    test('recordDeliveries: every delivery recorded as recordDelivery records one; one delivered before is left alone', async () => {
      const [one, two, , four] = signed as [(typeof signed)[0], (typeof signed)[0], unknown, (typeof signed)[0]];
      const receipt = (s: { messageId: string }) => ({
        messageId: s.messageId,
        receiptAt: RECEIPT_AT,
        receipt: { bundle: 'b-1', item: 0, receivedAt: RECEIPT_AT, deadline: '2027-01-12', requestedBy: '2026-12-20' },
      });
      await recordDelivery(ru.ctx, SYSTEM, receipt(one));
      const before = await storedAtRu(one);
      await ru.ctx.db
        .transaction()
        .execute((tx) => recordDeliveries(ru.ctx, SYSTEM, [receipt(two), receipt(one), receipt(four)], tx));
      assert.deepEqual(await storedAtRu(one), before, 'a message delivered before changes nothing');
      assert.deepEqual(await storedAtRu(two), before);
      assert.deepEqual(await storedAtRu(four), before);
      const state = await getRequest(ru.ctx, officer, two.id);
      assert.equal(state.state, 'received');
      assert.equal((await verifyAuditLog(ru.ctx.db, { key: ru.ctx.auditKey?.key })).ok, true, 'the audit chain holds');
      await assert.rejects(
        ru.ctx.db
          .transaction()
          .execute((tx) => recordDeliveries(ru.ctx, SYSTEM, [{ ...receipt(two), messageId: 'nope-0000' }], tx)),
        (err: unknown) => err instanceof EixError && err.code === 'input.invalid',
      );
      await assert.rejects(
        ru.ctx.db.transaction().execute((tx) => recordDeliveries(ru.ctx, officer, [receipt(two)], tx)),
        (err: unknown) => err instanceof EixError && err.code === 'access.denied',
      );
    });
  });
}
