// One "today" per Party (partyDay) and the Article 12 deadline model, on real
// storage (PGlite and PostgreSQL). The instants sit in the hours where the
// Party's local day is already the next day while UTC is not: 00:00–03:00 in
// Moscow, 00:00–05:00 in Almaty. The Agreement first binds RU and KZ on
// 2026-03-04 (demo events: entry into force 30 days after BY's notification).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { countIncomingByDeadline } from '../../src/app/count-incoming-by-deadline.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { listRequests } from '../../src/app/list-requests.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recomputeLegacyDeadlines } from '../../src/app/recompute-legacy-deadlines.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { addWorkingDays } from '../../src/domain/calendar.js';
import { addDays } from '../../src/domain/dates.js';
import type { Request } from '../../src/domain/request.js';
import { loadTreaty } from '../../src/domain/treaty.js';
import type { Received } from '../../src/app/receive-request.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const example = aRequest();
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const KZ_BODY = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };

/** 02:30 in Moscow and 04:30 in Almaty on the first day the Agreement binds; 23:30 UTC the day before. */
const FIRST_DAY_EARLY = '2026-03-03T23:30:00Z';
/** Copies of the signed request KZ also receives: their number suffix and the date asked for (none, later, past). */
const MORE = [
  [1, null],
  [2, '2026-03-10'],
  [3, '2026-03-01'],
] as const;

const demoEvents = JSON.parse(readFileSync(new URL('../../data/treaty/demo-events.json', import.meta.url), 'utf8')) as {
  events: unknown[];
};

for (const e of ENGINES) {
  describe(`one today per Party and the R12 deadline model on ${e.engine}`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let ruOfficer: Officer;
    let kzOfficer: Officer;
    let proceedingId: string;
    // Set up once, read by the tests: the example request RU signed at 02:30 Moscow on the first day, and KZ's
    // receipts at the same instant of it and of three copies with other dates asked for (or none).
    let outgoingId: string;
    let messageId: string;
    let signed: Request;
    let deadline: string;
    let received: Received[];

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', ru.clock);
      ruOfficer = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: RU_BODY.id, name: RU_BODY.name }));
      kzOfficer = await seedOfficer(
        kz.ctx,
        await seedBody(kz.ctx, { id: KZ_BODY.id, kind: 'central', name: KZ_BODY.name }),
      );
      ru.clock.set('2026-03-03T09:00:00+03:00');
      proceedingId = (
        await createProceeding(ru.ctx, ruOfficer, {
          number: '77/26/1-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;

      ru.clock.set(FIRST_DAY_EARLY);
      outgoingId = (await draftRequest(ru.ctx, ruOfficer, content({ shorterTerm: '2026-03-13' }))).id;
      messageId = (await signRequest(ru.ctx, ruOfficer, { requestId: outgoingId })).messageId;
      signed = (await getRequest(ru.ctx, ruOfficer, outgoingId)).document;
      deadline = addWorkingDays(await loadCalendar('KZ'), '2026-03-04', 30).date;
      received = [await receiveOnKz(signed, messageId, FIRST_DAY_EARLY)];
      // Three more requests received at the same instant (same deadline): a wish already past at receipt is kept,
      // not refused and not turned into a deadline.
      for (const [i, shorter] of MORE) {
        const doc = structuredClone(signed);
        if (shorter) doc.shorterTerm = shorter;
        else delete doc.shorterTerm;
        doc.number = `${signed.number}-${i}`;
        received.push(await receiveOnKz(doc, `${messageId.slice(0, 30)}-${i}`, FIRST_DAY_EARLY));
      }
    });
    after(async () => {
      await ru.database.close();
      await kz.database.close();
    });

    const content = (extra: Record<string, unknown> = {}) => ({
      proceedingId,
      requestedBody: KZ_BODY,
      items: example.items,
      grounds: example.grounds,
      ...extra,
    });
    const receiveOnKz = (document: Request, message: string, receivedAt: string) =>
      receiveRequest(kz.ctx, SYSTEM, {
        messageId: message,
        fromBody: RU_BODY,
        toBodyId: KZ_BODY.id,
        receivedAt,
        document,
      });

    test('R-pair, R11: signed at 02:30 Moscow on the day the Agreement first binds (23:30 UTC the day before), the request is dated that day and allowed; at 23:30 Moscow the evening before it is refused', async () => {
      ru.clock.set('2026-03-03T20:30:00Z'); // 23:30 in Moscow, 3 March
      const early = await draftRequest(ru.ctx, ruOfficer, content({ shorterTerm: '2026-03-13' }));
      assert.ok(
        early.check.errors.some((p) => p.code === 'R-pair.not_in_force'),
        JSON.stringify(early.check.errors),
      );
      await rejects(signRequest(ru.ctx, ruOfficer, { requestId: early.id }), 'request.invalid', 'requestedBody.party');

      ru.clock.set(FIRST_DAY_EARLY);
      const s = await signRequest(ru.ctx, ruOfficer, { requestId: early.id });
      assert.equal(s.state, 'signed');
      assert.match(s.number, /^ru-fssp-77\/2026\//);
      const document = (await getRequest(ru.ctx, ruOfficer, early.id)).document;
      assert.equal(document.date, '2026-03-04', 'the request is dated on the requesting Party’s day');
    });

    test('R12.b: a shorter term before the requesting body’s today is refused at drafting, naming shorterTerm — at 00:30 Moscow yesterday’s date is already too early', async () => {
      ru.clock.set('2026-03-04T21:30:00Z'); // 00:30 in Moscow, 5 March; UTC is still on 4 March
      const d = await draftRequest(ru.ctx, ruOfficer, content({ shorterTerm: '2026-03-04' }));
      const problem = d.check.errors.find((p) => p.code === 'R12.b.shorter_term');
      assert.equal(problem?.path, 'shorterTerm', JSON.stringify(d.check.errors));
      await rejects(signRequest(ru.ctx, ruOfficer, { requestId: d.id }), 'request.invalid', 'shorterTerm');
      const today = await draftRequest(ru.ctx, ruOfficer, content({ shorterTerm: '2026-03-05' }));
      assert.equal(today.check.ok, true, JSON.stringify(today.check.errors));
    });

    test('R12.a, R-pair: received at 04:30 Almaty (23:30 UTC the day before), the request counts from the local day and is accepted; at 23:30 Almaty the evening before it is refused', async () => {
      // The same request as a message of its own received at 23:30 in Almaty, 3 March: refused, nothing stored.
      const evening = receiveOnKz(signed, `${messageId.slice(0, 30)}-evening`, '2026-03-03T18:30:00Z');
      await rejects(evening, 'registry.pair', 'envelope.from.party');
      // Received at 04:30 Almaty (before()).
      const r = received[0]!;
      const kzCalendar = await loadCalendar('KZ');
      assert.equal(deadline, addWorkingDays(kzCalendar, '2026-03-04', 30).date);
      assert.notEqual(deadline, addWorkingDays(kzCalendar, '2026-03-03', 30).date, 'the day of receipt matters');
      assert.deepEqual(
        [r.receivedOn, r.deadline, r.basis, r.requestedBy],
        ['2026-03-04', deadline, 'R12.a', '2026-03-13'],
      );
    });

    test('R12.a, R12.b: the receipt’s deadline and requestedBy are kept on the requesting side; the date asked for stays beside the legal term', async () => {
      const d = await recordDelivery(ru.ctx, SYSTEM, {
        messageId,
        receiptAt: FIRST_DAY_EARLY,
        receipt: { jws: 'x', deadline, requestedBy: '2026-03-13' },
      });
      assert.equal(d.state, 'received');
      const view = await getRequest(ru.ctx, ruOfficer, outgoingId);
      assert.deepEqual(
        [view.deadline, view.deadlineBasis, view.requestedBy, view.requestedEarlier],
        [deadline, 'R12.a', '2026-03-13', true],
      );
      const receipt = view.events.find((x) => x.event === 'receipt')!;
      assert.deepEqual([receipt.data.deadline, receipt.data.requestedBy], [deadline, '2026-03-13']);
    });

    test('R12.b, R12.c: the date asked for never makes a request overdue; it sorts incoming requests after the deadline and marks «просили раньше»', async () => {
      // The three more requests received at the same instant (before()): same deadline, a wish already past
      // at receipt is kept, not refused and not turned into a deadline.
      assert.deepEqual(
        received.slice(1).map((r) => [r.deadline, r.requestedBy]),
        MORE.map(([, shorter]) => [deadline, shorter]),
      );
      kz.clock.set('2026-03-20T10:00:00+05:00'); // after every wish, before the deadline
      const view = await getRequest(kz.ctx, kzOfficer, received[0]!.id);
      assert.deepEqual([view.deadline, view.requestedBy, view.requestedEarlier], [deadline, '2026-03-13', true]);
      assert.ok(!view.overdue!.status.startsWith('overdue'), view.overdue!.status);
      const list = await listRequests(kz.ctx, kzOfficer, { direction: 'incoming' });
      assert.deepEqual(
        list.items.map((x) => x.requestedBy),
        ['2026-03-01', '2026-03-10', '2026-03-13', null],
      );
      assert.deepEqual(
        list.items.map((x) => x.requestedEarlier),
        [true, true, true, false],
      );
      assert.deepEqual(
        list.items.map((x) => x.overdue!.status.startsWith('overdue')),
        [false, false, false, false],
      );
      const counts = await countIncomingByDeadline(kz.ctx, kzOfficer);
      assert.deepEqual([counts.open, counts.overdue_silent, counts.overdue_notified], [4, 0, 0]);
    });

    test('R12.c: overdue is judged on the requested Party’s day — at 00:30 Almaty after the deadline the request is overdue while UTC is still on the deadline day', async () => {
      kz.clock.set(`${deadline}T23:30:00+05:00`);
      assert.equal((await getRequest(kz.ctx, kzOfficer, received[0]!.id)).overdue!.status, 'due_soon');
      assert.equal((await countIncomingByDeadline(kz.ctx, kzOfficer)).overdue_silent, 0);
      kz.clock.set(`${addDays(deadline, 1)}T00:30:00+05:00`);
      assert.equal((await getRequest(kz.ctx, kzOfficer, received[0]!.id)).overdue!.status, 'overdue_silent');
      const list = await listRequests(kz.ctx, kzOfficer, { direction: 'incoming' });
      assert.deepEqual(
        list.items.map((x) => x.overdue!.status),
        ['overdue_silent', 'overdue_silent', 'overdue_silent', 'overdue_silent'],
      );
      assert.equal((await countIncomingByDeadline(kz.ctx, kzOfficer)).overdue_silent, 4);
    });

    test('R12.c: a delay notice’s new date lies after the requested body’s today — at 00:30 Almaty after the deadline that day is refused', async () => {
      kz.clock.set(`${addDays(deadline, 1)}T00:30:00+05:00`);
      const step = (newDate: string) =>
        actOnRequest(kz.ctx, kzOfficer, {
          requestId: received[0]!.id,
          step: 'notify_delay',
          data: { newDate, reason: 'Ожидается ответ регистрирующего органа.' },
        });
      await rejects(step(addDays(deadline, 1)), 'input.invalid', 'data.newDate');
      assert.equal((await step(addDays(deadline, 2))).state, 'received');
      assert.equal((await countIncomingByDeadline(kz.ctx, kzOfficer)).overdue_notified, 1);
    });

    test('R24, R-pair: on the day a withdrawal takes effect, a request signed at 00:30 Moscow (UTC still the day before) is refused; at 23:30 the evening before it may be signed', async () => {
      const withdrawn = loadTreaty({
        ...demoEvents,
        events: [
          ...demoEvents.events,
          { type: 'withdrawal', party: 'KZ', received: '2026-05-04', effective: '2026-08-04' },
        ],
      });
      const ctx: AppContext = { ...ru.ctx, treaty: () => withdrawn };
      ru.clock.set('2026-08-03T20:30:00Z'); // 23:30 in Moscow, 3 August: KZ still bound
      const before = await draftRequest(ctx, ruOfficer, content());
      assert.equal(before.check.ok, true, JSON.stringify(before.check.errors));
      ru.clock.set('2026-08-03T21:30:00Z'); // 00:30 in Moscow, 4 August
      await rejects(signRequest(ctx, ruOfficer, { requestId: before.id }), 'request.invalid', 'requestedBody.party');
      const after = await draftRequest(ctx, ruOfficer, content());
      assert.ok(
        after.check.errors.some((p) => p.code === 'R-pair.requested_withdrawn'),
        JSON.stringify(after.check.errors),
      );
    });

    test('R12.a: a deadline stored by the old model (the shorter date, basis R12.b) is recomputed to the 30th working day, once, with an audit entry', async () => {
      const id = received[0]!.id;
      await kz.ctx.db
        .updateTable('requests')
        .set({ deadline: '2026-03-13', deadline_basis: 'R12.b' })
        .where('id', '=', id)
        .execute();
      assert.deepEqual(await recomputeLegacyDeadlines(kz.ctx, SYSTEM), { updated: 1 });
      const row = await kz.ctx.db
        .selectFrom('requests')
        .select(['deadline', 'deadline_basis', 'shorter_term'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { deadline, deadline_basis: 'R12.a', shorter_term: '2026-03-13' });
      const audit = await kz.ctx.db
        .selectFrom('audit_log')
        .select('action')
        .where('request_id', '=', id)
        .where('action', '=', 'request.deadline_recomputed')
        .execute();
      assert.equal(audit.length, 1);
      assert.deepEqual(await recomputeLegacyDeadlines(kz.ctx, SYSTEM), { updated: 0 });
    });
  });
}
