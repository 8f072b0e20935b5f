// Issue 14 item 7: in-app notices over the node's event log (migration 014),
// on real storage (PGlite, and PostgreSQL when it answers). Events are written
// in the transaction of the change; the clock's events (R12.c) once per request.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { deliver } from '../../src/adapters/federation/outbound.js';
import { sha256Hex } from '../../src/adapters/crypto/jws.js';
import { applyRemoteStep } from '../../src/app/apply-remote-step.js';
import { composeMessage } from '../../src/app/compose-message.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { countUnreadNotices, NOTICE_BADGE_CAP } from '../../src/app/count-unread-notices.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { listNotices } from '../../src/app/list-notices.js';
import { markNoticesRead } from '../../src/app/mark-notices-read.js';
import { purgeExpiredData } from '../../src/app/purge-expired-data.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { receiveMessage } from '../../src/app/receive-message.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordDeadlineNotices } from '../../src/app/record-deadline-notices.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { signRequest } from '../../src/app/sign-request.js';
import { classifyOverdue } from '../../src/domain/calendar.js';
import { addDays } from '../../src/domain/dates.js';
import { EVENT_KINDS, noticeText, type AnyEvent } from '../../src/domain/events.js';
import type { InboundType, TypedMessage } from '../../src/domain/messages.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { nodeOn, seedBody, seedOfficer, TestClock, type TestNode } from '../support/app.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const RECEIVED_AT = '2026-11-26T10:00:00+05:00';
// The debtor of the example request: no notice may carry it.
const PERSONAL = ['Иванов', 'IVANOV', '500100732259'];

function incoming(n: number, toBodyId = 'kz-central') {
  const number = `77001/26/00${1000 + n}`;
  return {
    messageId: `notice-req-${n}-000`,
    fromBody: RU_BODY,
    toBodyId,
    receivedAt: RECEIVED_AT,
    document: aRequest((r) => {
      r.number = number;
      if (toBodyId !== 'kz-central') r.requestedBody = { ...r.requestedBody!, id: toBodyId };
    }),
  };
}

for (const e of ENGINES) {
  describe(`in-app notices on ${e.engine}`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let kzOfficer: Officer;
    let kzCentral: Officer;
    let almatyOfficer: Officer;
    let kzAdmin: Officer;
    let ruOfficer: Officer;
    let ruStranger: Officer;
    // Set up once, read by the tests: request 1 as KZ received it (kz-central), and RU's proceeding.
    let firstId: string;
    let deadline: string;
    let proceedingId: string;

    const events = async (node: TestNode, requestId: string, kind?: string) => {
      let q = node.ctx.db.selectFrom('events').selectAll().where('request_id', '=', requestId);
      if (kind) q = q.where('kind', '=', kind as never);
      return q.execute();
    };

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', new TestClock(Date.parse('2026-11-26T09:00:00+03:00')));
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      await seedBody(kz.ctx, { id: 'kz-almaty', kind: 'territorial', parentId: 'kz-central' });
      kzOfficer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      kzCentral = await seedOfficer(kz.ctx, 'kz-central', ['officer', 'central']);
      almatyOfficer = await seedOfficer(kz.ctx, 'kz-almaty', ['officer']);
      kzAdmin = await seedOfficer(kz.ctx, 'kz-central', ['admin']);
      await seedBody(ru.ctx, { id: RU_BODY.id, name: RU_BODY.name });
      ruOfficer = await seedOfficer(ru.ctx, RU_BODY.id);
      ruStranger = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: 'ru-fssp-78' }));
      ({ id: firstId, deadline } = await receiveRequest(kz.ctx, SYSTEM, incoming(1)));
      proceedingId = (
        await createProceeding(ru.ctx, ruOfficer, {
          number: '123456/26/77001-ИП',
          openedOn: '2026-03-02',
          debtor: aRequest().debtor,
          creditor: aRequest().creditor,
          executiveDocuments: [aRequest().executiveDocument],
        })
      ).id;
    });
    after(async () => {
      await ru.database.close();
      await kz.database.close();
    });

    test('issue 14.7: an incoming request is one notice for its body’s officers and none for another body’s', async () => {
      // Request 1 was received in before().
      const rows = await events(kz, firstId);
      assert.deepEqual(
        rows.map((x) => [x.kind, x.body_id]),
        [['request_received', 'kz-central']],
      );
      assert.deepEqual(await countUnreadNotices(kz.ctx, kzOfficer), { unread: 1, more: false });
      const list = await listNotices(kz.ctx, kzOfficer);
      assert.equal(list.notices.length, 1);
      const n = list.notices[0]!;
      assert.deepEqual(
        [n.kind, n.title, n.href, n.read],
        ['request_received', 'Новый запрос', `/requests/${firstId}`, false],
      );
      assert.equal(n.text, 'Поступил запрос № 77001/26/001001 (Россия)');
      const stored = JSON.stringify(rows) + JSON.stringify(list);
      for (const secret of PERSONAL) assert.ok(!stored.includes(secret), `personal data ${secret} in a notice`);
      // Another body's officer, an administrator and the node itself are told nothing.
      assert.deepEqual(await countUnreadNotices(kz.ctx, almatyOfficer), { unread: 0, more: false });
      assert.equal((await listNotices(kz.ctx, almatyOfficer)).notices.length, 0);
      assert.deepEqual(await countUnreadNotices(kz.ctx, kzAdmin), { unread: 0, more: false });
      await rejects(listNotices(kz.ctx, kzAdmin), 'access.denied');
      // R18: the central officer sees his Party's traffic.
      assert.equal((await countUnreadNotices(kz.ctx, kzCentral)).unread, 1);
    });

    test('issue 14.7: a redelivered (duplicate) message records no second event', async () => {
      const again = await receiveRequest(kz.ctx, SYSTEM, incoming(1));
      assert.deepEqual([again.id, again.duplicate], [firstId, true]);
      assert.equal((await events(kz, firstId)).length, 1);
      assert.equal((await countUnreadNotices(kz.ctx, kzOfficer)).unread, 1);
    });

    test('issue 14.7: an event rolls back with its change (a refused request leaves no notice)', async () => {
      const before = await kz.ctx.db.selectFrom('events').select('id').execute();
      const bad = incoming(99);
      await rejects(receiveRequest(kz.ctx, SYSTEM, { ...bad, fromBody: { ...RU_BODY, party: 'AM' } }), 'registry.pair');
      assert.equal((await kz.ctx.db.selectFrom('events').select('id').execute()).length, before.length);
    });

    // One scenario: the badge counts of its last step add up the forward and the deadline notices of the steps
    // before it, and the deadline job counts every request of the node received that day.
    test('R18, R12.c, issue 14.7: a forwarded request is a notice for the territorial body; deadline notices are recorded once per request, however often the job runs; one, a request’s or all notices are marked read and the badge counts what is left, unread first', async () => {
      {
        // Step 1 (R18): a forwarded request is a notice for the territorial body; the central body’s plain officer
        // loses it.
        const r = await receiveRequest(kz.ctx, SYSTEM, incoming(2));
        assert.equal((await countUnreadNotices(kz.ctx, kzOfficer)).unread, 2);
        await forwardRequest(kz.ctx, kzCentral, { requestId: r.id, toBodyId: 'kz-almaty' });
        const list = await listNotices(kz.ctx, almatyOfficer);
        assert.deepEqual(
          list.notices.map((n) => [n.kind, n.requestId]),
          [['request_forwarded', r.id]],
        );
        assert.match(list.notices[0]!.text, /^Вашему органу передан на исполнение запрос № 77001\/26\/001002/);
        // The request is Almaty's now: its receipt notice no longer leads kz-central's officer to a page he may not
        // open.
        assert.equal((await countUnreadNotices(kz.ctx, kzOfficer)).unread, 1);
        await markNoticesRead(kz.ctx, almatyOfficer, { all: true });
      }

      {
        // Step 2 (R12.c): the deadline notices are recorded once per request, however often the job runs.
        assert.deepEqual(await recordDeadlineNotices(kz.ctx, SYSTEM), { dueSoon: 0, overdue: 0 });
        const cal = await loadCalendar('KZ');
        // A day with three working days left (classifyOverdue: due soon).
        let day = deadline;
        while (classifyOverdue(cal, { deadline, today: day, delayNotified: false }).workingDaysLeft < 3)
          day = addDays(day, -1);
        kz.clock.set(`${day}T10:00:00+05:00`);
        const [a, b] = [await recordDeadlineNotices(kz.ctx, SYSTEM), await recordDeadlineNotices(kz.ctx, SYSTEM)];
        // Requests 1 and 2 (now at Almaty) were received the same day: one notice each, then none.
        assert.deepEqual(
          [a, b],
          [
            { dueSoon: 2, overdue: 0 },
            { dueSoon: 0, overdue: 0 },
          ],
        );
        const soon = await events(kz, firstId, 'deadline_soon');
        assert.equal(soon.length, 1);
        const text = (await listNotices(kz.ctx, kzOfficer)).notices.find((n) => n.kind === 'deadline_soon')!.text;
        const [y, m, d] = deadline.split('-');
        assert.equal(
          text,
          `До окончания срока исполнения запроса № 77001/26/001001 (Россия) осталось 3 рабочих дня: срок до ${d}.${m}.${y}`,
        );
        // The day after the deadline: overdue, once; two runs at the same time record it once too.
        kz.clock.set(`${addDays(deadline, 1)}T10:00:00+05:00`);
        const both = await Promise.all([recordDeadlineNotices(kz.ctx, SYSTEM), recordDeadlineNotices(kz.ctx, SYSTEM)]);
        assert.equal(both[0].overdue + both[1].overdue, 2);
        assert.deepEqual(await recordDeadlineNotices(kz.ctx, SYSTEM), { dueSoon: 0, overdue: 0 });
        assert.equal((await events(kz, firstId, 'overdue')).length, 1);
        assert.equal((await events(kz, firstId, 'deadline_soon')).length, 1);
        // Only the node's console or an administrator runs the job.
        await rejects(recordDeadlineNotices(kz.ctx, kzOfficer), 'access.denied');
      }

      {
        // Step 3: mark one, a request’s, or all as read; the badge counts what is left, unread first.
        for (const i of [3, 4, 5]) await receiveRequest(kz.ctx, SYSTEM, incoming(i));
        // kz-central: request 1 (received, due soon, overdue) and 3, 4, 5.
        assert.equal((await countUnreadNotices(kz.ctx, kzOfficer)).unread, 6);
        const list = await listNotices(kz.ctx, kzOfficer);
        const newest = list.notices[0]!;
        assert.ok(newest.text.includes('77001/26/001005'), newest.text);
        assert.equal((await markNoticesRead(kz.ctx, kzOfficer, { eventId: newest.id })).unread, 5);
        // Marking is per officer: the central officer's badge (his Party's traffic, R18: also request 2's
        // receipt, forward and deadline notices) is untouched.
        assert.equal((await countUnreadNotices(kz.ctx, kzCentral)).unread, 10);
        const after = await listNotices(kz.ctx, kzOfficer);
        assert.deepEqual(
          after.notices.map((n) => n.read),
          [false, false, false, false, false, true],
          'unread first',
        );
        assert.equal(after.notices.at(-1)!.id, newest.id);
        // Opening request 1 reads its three notices.
        assert.equal((await markNoticesRead(kz.ctx, kzOfficer, { requestId: firstId })).unread, 2);
        // A notice of another body is "not found"; a malformed id names the field.
        const almaty = (await listNotices(kz.ctx, almatyOfficer)).notices[0]!;
        await rejects(markNoticesRead(kz.ctx, kzOfficer, { eventId: almaty.id }), 'notice.not_found', 'eventId');
        await rejects(markNoticesRead(kz.ctx, kzOfficer, { eventId: 'x' }), 'input.invalid');
        // "Mark all" up to what was shown: a notice arriving meanwhile stays unread.
        const shown = await listNotices(kz.ctx, kzOfficer);
        await receiveRequest(kz.ctx, SYSTEM, incoming(6));
        assert.equal((await markNoticesRead(kz.ctx, kzOfficer, { all: true, upTo: shown.upTo! })).unread, 1);
        assert.equal((await markNoticesRead(kz.ctx, kzOfficer, { all: true })).unread, 0);
        const reads = await kz.ctx.db
          .selectFrom('notice_reads')
          .selectAll()
          .where('officer_id', '=', kzOfficer.officerId)
          .execute();
        assert.equal(reads.length, 0, 'single reads below the cursor are dropped');
      }
    });

    test('issue 14.7: the badge stops counting past its cap («99+»)', async () => {
      const rows = Array.from({ length: NOTICE_BADGE_CAP + 5 }, () => ({
        kind: 'request_received' as const,
        request_id: firstId,
        body_id: 'kz-central',
        occurred_at: kz.clock.now(),
        data: JSON.stringify({ messageId: 'bulk' }),
      }));
      await kz.ctx.db.insertInto('events').values(rows).execute();
      assert.deepEqual(await countUnreadNotices(kz.ctx, kzOfficer), { unread: NOTICE_BADGE_CAP, more: true });
      assert.equal((await listNotices(kz.ctx, kzOfficer, { limit: 10 })).notices.length, 10);
      assert.equal((await markNoticesRead(kz.ctx, kzOfficer, { all: true })).unread, 0);
    });

    test('issue 14.7: answers, steps, failed deliveries, overdue answers and destroyed data reach the requesting body', async () => {
      const example = aRequest();
      const d = await draftRequest(ru.ctx, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      const signed = await signRequest(ru.ctx, ruOfficer, { requestId: d.id });
      await recordDelivery(ru.ctx, SYSTEM, {
        messageId: signed.messageId,
        receiptAt: RECEIVED_AT,
        receipt: { deadline },
      });
      assert.equal((await countUnreadNotices(ru.ctx, ruOfficer)).unread, 0, 'own steps are no notices');

      await applyRemoteStep(ru.ctx, SYSTEM, {
        messageId: 'notice-step-0001',
        requestMessageId: signed.messageId,
        by: 'requested',
        event: 'notify_delay',
        data: { reason: 'Ожидается ответ банка Иванова', newDate: addDays(deadline, 10) },
      });
      const answer = {
        messageId: 'notice-ans-0001',
        requestMessageId: signed.messageId,
        final: false,
        items: [{ itemNo: 1, outcome: 'not_found' as const }],
      };
      await receiveAnswer(ru.ctx, SYSTEM, answer);
      assert.equal((await receiveAnswer(ru.ctx, SYSTEM, answer)).duplicate, true);
      assert.deepEqual(
        (await events(ru, d.id)).map((x) => x.kind),
        ['step_received', 'answer_received'],
        'a duplicate answer records nothing',
      );

      // The transport gives up on a message (no node of KZ in the registry: not retryable).
      await ru.ctx.db
        .insertInto('outbox')
        .values({
          message_id: 'notice-out-0001',
          request_id: d.id,
          type: 'consult',
          to_party: 'KZ',
          to_body: 'kz-central',
          payload: '{}',
          last_error: null,
          delivered_at: null,
          // As claimDue leaves it: an attempt records its outcome only on the row it claimed.
          status: 'sending',
          attempts: 1,
        })
        .execute();
      const row = await ru.ctx.db
        .selectFrom('outbox')
        .selectAll()
        .where('message_id', '=', 'notice-out-0001')
        .executeTakeFirstOrThrow();
      const fed = {
        app: ru.ctx,
        registry: () => ({ version: 1, issuedAt: ru.clock.now().toISOString(), parties: {} }),
        registryMaxAgeMs: 30 * 86_400_000,
        maxAttempts: 5,
      } as unknown as Federation;
      assert.equal(await deliver(fed, row), false);

      // The answer did not come in KZ's term.
      ru.clock.set(`${addDays(deadline, 1)}T12:00:00+03:00`);
      assert.deepEqual(await recordDeadlineNotices(ru.ctx, SYSTEM), { dueSoon: 0, overdue: 1 });
      assert.deepEqual(await recordDeadlineNotices(ru.ctx, SYSTEM), { dueSoon: 0, overdue: 0 });

      await receiveAnswer(ru.ctx, SYSTEM, { ...answer, messageId: 'notice-ans-0002', final: true });
      await ru.ctx.db
        .insertInto('retention_rules')
        .values({ party: 'RU', months: 6, legal_basis: 'Федеральный закон «Об исполнительном производстве»' })
        .execute();
      ru.clock.advance(200 * 86_400_000);
      assert.deepEqual((await purgeExpiredData(ru.ctx, SYSTEM)).requests, [d.id]);

      const list = await listNotices(ru.ctx, ruOfficer);
      const [y, m, dd] = deadline.split('-');
      assert.deepEqual(
        list.notices.map((n) => n.text),
        [
          `По запросу № ${signed.number} (Казахстан) уничтожены по истечении срока хранения (статья 9): полученные ответы, тексты сообщений`,
          `Получен ответ на запрос № ${signed.number} (Казахстан)`,
          `Не получен в срок ответ на запрос № ${signed.number} (Казахстан): ответ ожидался до ${dd}.${m}.${y}`,
          `Не доставлено сообщение «Консультация» по запросу № ${signed.number} (Казахстан)`,
          `Получен частичный ответ на запрос № ${signed.number} (Казахстан)`,
          `Казахстан: сообщено о невозможности исполнения в срок — запрос № ${signed.number}`,
        ],
      );
      for (const secret of PERSONAL)
        assert.ok(!JSON.stringify(await events(ru, d.id)).includes(secret), `personal data ${secret} in events`);
      assert.equal((await countUnreadNotices(ru.ctx, ruStranger)).unread, 0);
    });

    test('issue 14.7: a message redelivered through receiveMessage (a lost receipt) is told once', async () => {
      const example = aRequest();
      const d = await draftRequest(ru.ctx, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      const signed = await signRequest(ru.ctx, ruOfficer, { requestId: d.id });
      const row = await ru.ctx.db
        .selectFrom('outbox')
        .selectAll()
        .where('message_id', '=', signed.messageId)
        .executeTakeFirstOrThrow();
      const message = await composeMessage(ru.ctx, row);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const jws = [b64({ alg: 'ES256' }), b64(message), b64('signature')].join('.');
      kz.clock.set(ru.clock.now().toISOString());
      const send = () =>
        receiveMessage(kz.ctx, {
          verified: { message: message as TypedMessage<InboundType>, digest: sha256Hex(jws), jws },
          receivedAt: kz.ctx.clock.now(),
          freshness: async () => null,
          signReceipt: async (r) => b64(r),
        });
      const [first, second] = [await send(), await send()];
      assert.deepEqual([first.duplicate, second.duplicate], [false, true]);
      const stored = await kz.ctx.db
        .selectFrom('requests')
        .select('id')
        .where('message_id', '=', signed.messageId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        (await events(kz, stored.id)).map((x) => x.kind),
        ['request_received'],
      );
    });

    test('issue 14.7: every event kind has its Russian text (no raw code)', () => {
      const samples: { [K in AnyEvent['kind']]: Extract<AnyEvent, { kind: K }>['data'] } = {
        request_received: { messageId: 'm' },
        request_forwarded: { fromBody: 'kz-central' },
        answer_received: { messageId: 'm', final: true, items: 1 },
        step_received: { messageId: 'm', event: 'refuse' },
        deadline_soon: { deadline: '2027-01-14', workingDaysLeft: 1 },
        overdue: { deadline: '2027-01-14', direction: 'incoming', delayNotified: true },
        delivery_delayed: { messageId: 'm', type: 'answer_final', error: 'transport.failed' },
        delivery_failed: { messageId: 'm', type: 'answer_final', error: 'transport.failed' },
        data_destroyed: { kinds: ['incoming_requests'] },
      };
      for (const kind of EVENT_KINDS) {
        const text = noticeText({ kind, data: samples[kind] } as AnyEvent, { number: 'N-1', counterpartParty: 'BY' });
        assert.match(text, /Беларусь/, kind);
        assert.doesNotMatch(text, /[a-z_]{3,}|\d{4}-\d{2}-\d{2}/, `${kind}: ${text}`);
      }
    });
  });
}
