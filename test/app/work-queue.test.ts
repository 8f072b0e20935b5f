// The officer's work queue and archive (issue 14, item 1) on real storage,
// PGlite and PostgreSQL: filters, sorts, keyset pages, access (R16, R18), the
// R9.1 audit entry of a list read, the R12.c counters as list filters, the
// expected answer of an outgoing request (R12.a), CSV/XLSX export.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { countIncomingByDeadlineWithFilters } from '../../src/app/count-incoming-by-deadline.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { exportRequestList } from '../../src/app/export-request-list.js';
import { listRequests, type RequestList } from '../../src/app/list-requests.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { addWorkingDays, workingDaysBetween } from '../../src/domain/calendar.js';
import { partyDay } from '../../src/domain/parties.js';
import { STATE_LABELS_RU } from '../../src/domain/workflow.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const DAY = 86_400_000;
const N = 40;
const SURNAMES = ['Сидоров', 'Кузнецов', 'Орлова', 'Нурланов'];
const FROM_RU = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };

for (const e of ENGINES) {
  describe(`work queue on ${e.engine}`, () => {
    let kz: TestNode;
    let ru: TestNode;
    let officer: Officer;
    let other: Officer;
    let central: Officer;
    let ruOfficer: Officer;
    let outgoingId: string;
    let receiptDeadline: string;
    let seq = 0;

    async function receive(daysAgo: number, surname: string, body = 'kz-central'): Promise<string> {
      const i = seq++;
      const r = await receiveRequest(kz.ctx, SYSTEM, {
        messageId: `m-queue-${i}-${randomUUID().slice(0, 8)}`,
        fromBody: FROM_RU,
        toBodyId: body,
        receivedAt: new Date(kz.clock.now().getTime() - daysAgo * DAY).toISOString(),
        document: aRequest((d) => {
          d.number = `ru-fssp-77/2026/${String(1000 + i).padStart(6, '0')}`;
          d.debtor = { ...d.debtor, surname, latinName: undefined } as typeof d.debtor;
          if (body !== 'kz-central') d.requestedBody = { id: body, party: 'KZ', name: 'Алматы' };
        }),
      });
      return r.id;
    }

    before(async () => {
      kz = nodeOn(await e.open(), 'KZ');
      ru = nodeOn(await e.open(), 'RU', kz.clock);
      await seedBody(kz.ctx, { id: 'kz-central', party: 'KZ', kind: 'central', name: 'Министерство юстиции' });
      await seedBody(kz.ctx, { id: 'kz-almaty', party: 'KZ', kind: 'territorial', parentId: 'kz-central' });
      officer = await seedOfficer(kz.ctx, 'kz-central');
      other = await seedOfficer(kz.ctx, 'kz-almaty');
      central = await seedOfficer(kz.ctx, 'kz-central', ['officer', 'central']);
      for (let i = 0; i < N; i++) await receive(i * 1.5, SURNAMES[i % SURNAMES.length]!);
      await receive(3, 'Алматинов', 'kz-almaty');
      // Some requests come from Belarus, some are answered, some have a delay notice.
      const ids = (await kz.ctx.db.selectFrom('requests').select('id').orderBy('number').execute()).map((r) => r.id);
      await kz.ctx.db
        .updateTable('requests')
        .set({ counterpart_party: 'BY' })
        .where(
          'id',
          'in',
          ids.filter((_, i) => i % 4 === 1),
        )
        .execute();
      await kz.ctx.db
        .updateTable('requests')
        .set({ state: 'answered' })
        .where(
          'id',
          'in',
          ids.filter((_, i) => i % 5 === 2),
        )
        .execute();
      await kz.ctx.db
        .updateTable('requests')
        .set({ delay_until: '2027-12-31' })
        .where(
          'id',
          'in',
          ids.filter((_, i) => i % 3 === 0),
        )
        .execute();

      // An outgoing request of the Russian node, delivered with the Kazakh receipt's deadline.
      await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      ruOfficer = await seedOfficer(ru.ctx, 'ru-fssp-77');
      const example = aRequest();
      const { id: proceedingId } = await createProceeding(ru.ctx, ruOfficer, {
        number: '777/26/77001-ИП',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      const d = await draftRequest(ru.ctx, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      outgoingId = d.id;
      const signed = await signRequest(ru.ctx, ruOfficer, { requestId: d.id });
      receiptDeadline = addWorkingDays(await loadCalendar('KZ'), partyDay(kz.clock.now(), 'KZ'), 30).date;
      await recordDelivery(ru.ctx, SYSTEM, {
        messageId: signed.messageId,
        receiptAt: kz.clock.now().toISOString(),
        receipt: { deadline: receiptDeadline },
      });
      await draftRequest(ru.ctx, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
    });
    after(async () => {
      await kz.database.close();
      await ru.database.close();
    });

    const all = async (o: Officer, input: Record<string, unknown>, limit = 7): Promise<RequestList['items']> => {
      const out: RequestList['items'] = [];
      let cursor: string | null = null;
      do {
        const page: RequestList = await listRequests(kz.ctx, o, { ...input, limit, ...(cursor ? { cursor } : {}) });
        out.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };

    test('each item names the debtor and what was asked; incoming items carry the R12.c status', async () => {
      const page = await listRequests(kz.ctx, officer, { direction: 'incoming', limit: 5 });
      assert.equal(page.items.length, 5);
      for (const i of page.items) {
        assert.match(i.debtorName ?? '', /^(Сидоров|Кузнецов|Орлова|Нурланов) Иван Иванович$/);
        assert.deepEqual(
          i.itemKinds,
          aRequest().items!.map((x) => x.kind),
        );
        assert.equal(i.expectedAnswer, null);
      }
      assert.equal(page.total, N);
      assert.ok(page.nextCursor);
    });

    test('R12.a: an outgoing item shows the receipt’s deadline as the expected answer with the requested Party’s working days left', async () => {
      const r = await listRequests(ru.ctx, ruOfficer, { direction: 'outgoing' });
      const sent = r.items.find((i) => i.id === outgoingId)!;
      const today = partyDay(kz.clock.now(), 'KZ');
      assert.equal(sent.receivedOn, partyDay(kz.clock.now(), 'RU'));
      assert.deepEqual(sent.expectedAnswer, {
        by: receiptDeadline,
        workingDaysLeft: workingDaysBetween(await loadCalendar('KZ'), today, receiptDeadline),
        status: 'open',
      });
      assert.equal(sent.expectedAnswer!.workingDaysLeft, 30);
      assert.equal(sent.debtorName, 'Иванов Иван Иванович');
      const draft = r.items.find((i) => i.id !== outgoingId)!;
      assert.deepEqual([draft.state, draft.expectedAnswer, draft.receivedOn], ['draft', null, null]);
    });

    test('filters: states, Party, period, search; the archive (no state filter) holds every state', async () => {
      const archive = await all(officer, { direction: 'incoming' });
      assert.equal(archive.length, N);
      assert.ok(archive.some((i) => i.state === 'answered'));
      const answered = await all(officer, { direction: 'incoming', states: ['answered'] });
      assert.deepEqual(
        answered.map((i) => i.id).sort(),
        archive
          .filter((i) => i.state === 'answered')
          .map((i) => i.id)
          .sort(),
      );
      const by = await all(officer, { direction: 'incoming', counterpartParty: 'BY' });
      assert.ok(by.length > 0 && by.length < N);
      assert.ok(by.every((i) => i.counterpartParty === 'BY'));
      const from = archive.map((i) => i.receivedOn!).sort()[10]!;
      const to = archive.map((i) => i.receivedOn!).sort()[25]!;
      const period = await all(officer, { direction: 'incoming', from, to });
      assert.deepEqual(
        period.map((i) => i.id).sort(),
        archive
          .filter((i) => i.receivedOn! >= from && i.receivedOn! <= to)
          .map((i) => i.id)
          .sort(),
      );
      const found = await all(officer, { direction: 'incoming', query: 'Орлова' });
      assert.equal(found.length, N / SURNAMES.length);
      assert.ok(found.every((i) => i.debtorName!.startsWith('Орлова')));
      const combined = await all(officer, {
        direction: 'incoming',
        counterpartParty: 'RU',
        from,
        to,
        deadlineStatus: 'overdue',
      });
      assert.deepEqual(
        combined.map((i) => i.id).sort(),
        period
          .filter((i) => i.counterpartParty === 'RU' && i.overdue?.status.startsWith('overdue'))
          .map((i) => i.id)
          .sort(),
      );
    });

    test('R12.c: every dashboard counter equals the total of the list its filter opens', async () => {
      for (const days of [0, 20]) {
        if (days) kz.clock.advance(days * DAY);
        const counters = await countIncomingByDeadlineWithFilters(kz.ctx, officer);
        assert.deepEqual(
          counters.map((c) => c.key),
          ['open', 'due_soon', 'overdue_notified', 'overdue_silent'],
        );
        assert.ok(
          counters.filter((c) => c.key !== 'open').some((c) => c.count > 0),
          'the data exercises them',
        );
        for (const c of counters) {
          const items = await all(officer, c.filter);
          assert.equal(items.length, c.count, `${c.key} after ${days} days`);
          if (c.key !== 'open')
            assert.ok(
              items.every((i) => i.overdue?.status === c.key),
              c.key,
            );
        }
        const overdue = await all(officer, { direction: 'incoming', deadlineStatus: 'overdue' });
        assert.equal(
          overdue.length,
          counters.find((c) => c.key === 'overdue_notified')!.count +
            counters.find((c) => c.key === 'overdue_silent')!.count,
        );
      }
    });

    test('sorts: by number, received date and deadline, both ways; pages follow the same order', async () => {
      const archive = await all(officer, { direction: 'incoming' }, 100);
      const byNumber = [...archive].sort((a, b) => (a.number < b.number ? -1 : 1)).map((i) => i.id);
      assert.deepEqual(
        (await all(officer, { direction: 'incoming', sort: 'number' })).map((i) => i.id),
        byNumber,
      );
      assert.deepEqual(
        (await all(officer, { direction: 'incoming', sort: 'number', order: 'desc' })).map((i) => i.id),
        [...byNumber].reverse(),
      );
      const received = (await all(officer, { direction: 'incoming', sort: 'received', order: 'desc' })).map(
        (i) => i.receivedOn!,
      );
      assert.deepEqual(received, [...received].sort().reverse());
      const deadlines = archive.map((i) => i.deadline!);
      assert.deepEqual(deadlines, [...deadlines].sort());
      const updated = (await all(officer, { direction: 'incoming', sort: 'updated', order: 'desc' })).map(
        (i) => i.updatedAt,
      );
      assert.deepEqual(updated, [...updated].sort().reverse());
    });

    test('keyset pages: no duplicate and no gap while requests arrive between pages', async () => {
      for (const sort of ['deadline', 'received', 'number', 'updated'] as const) {
        const before = new Set((await all(officer, { direction: 'incoming', sort }, 100)).map((i) => i.id));
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: RequestList = await listRequests(kz.ctx, officer, {
            direction: 'incoming',
            sort,
            limit: 6,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
          // A new request arrives while the officer reads the list.
          if (pages++ % 2 === 0) await receive(pages, 'Новиков');
        } while (cursor);
        assert.equal(new Set(seen).size, seen.length, `${sort}: a request shown twice`);
        for (const id of before) assert.ok(seen.includes(id), `${sort}: a request skipped`);
      }
    });

    test('R16, R18: an officer sees only his body’s requests; a central officer may choose a body', async () => {
      const mine = await all(other, { direction: 'incoming' });
      assert.deepEqual(
        mine.map((i) => i.bodyId),
        ['kz-almaty'],
      );
      assert.equal((await listRequests(kz.ctx, other, { direction: 'incoming', bodyId: 'kz-central' })).total, 1);
      assert.equal((await listRequests(kz.ctx, other, { direction: 'incoming', query: 'Орлова' })).total, 0);
      const almaty = await listRequests(kz.ctx, central, { direction: 'incoming', bodyId: 'kz-almaty' });
      assert.deepEqual(
        almaty.items.map((i) => i.bodyId),
        ['kz-almaty'],
      );
      const admin = await seedOfficer(kz.ctx, 'kz-central', ['admin']);
      await rejects(listRequests(kz.ctx, admin, { direction: 'incoming' }), 'access.denied');
      await rejects(exportRequestList(kz.ctx, admin, { direction: 'incoming', format: 'csv' }), 'access.denied');
    });

    test('R9.1: one list read writes ONE audit entry naming every incoming request shown; an empty page writes none', async () => {
      const count = async () =>
        Number(
          (
            await kz.ctx.db
              .selectFrom('audit_log')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const n0 = await count();
      const page = await listRequests(kz.ctx, officer, { direction: 'incoming', limit: 9 });
      assert.equal(await count(), n0 + 1);
      const entry = await kz.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.equal(entry.action, 'personal_data.read');
      assert.equal(entry.actor, `officer:${officer.login}`);
      const details = entry.details as { requestIds: string[]; parts: string[]; list: string };
      assert.deepEqual(
        details.requestIds,
        page.items.map((i) => i.id),
      );
      assert.deepEqual([details.parts, details.list], [['debtor'], 'incoming']);
      await listRequests(kz.ctx, officer, { direction: 'incoming', query: 'Несуществующий' });
      await listRequests(kz.ctx, other, { direction: 'incoming', query: 'Орлова' });
      assert.equal(await count(), n0 + 1);
    });

    test('export: CSV and XLSX hold the filtered list with Russian headers, dates ДД.ММ.ГГГГ, Russian states; audited', async () => {
      const filter = { direction: 'incoming', query: 'Кузнецов', sort: 'number' } as const;
      const items = await all(officer, filter);
      const csv = await exportRequestList(kz.ctx, officer, { ...filter, format: 'csv' });
      assert.match(csv.fileName, /^Входящие запросы \d{2}\.\d{2}\.\d{4}\.csv$/);
      assert.equal(csv.mediaType, 'text/csv; charset=utf-8');
      const rows = parse(csv.content, { bom: true, delimiter: ';' }) as string[][];
      const [header, ...data] = rows;
      assert.deepEqual(header!.slice(0, 7), [
        'Номер запроса',
        'Орган',
        'Запрашивающая Сторона',
        'Запрашивающий орган',
        'Должник',
        'Что запрошено',
        'Состояние',
      ]);
      assert.deepEqual(
        data.map((r) => r[0]),
        items.map((i) => i.number),
      );
      const first = data[0]!;
      assert.equal(first[1], 'Министерство юстиции');
      assert.equal(first[2], { RU: 'Россия', BY: 'Беларусь' }[items[0]!.counterpartParty]);
      assert.match(first[4]!, /^Кузнецов Иван Иванович$/);
      assert.deepEqual(
        data.map((r) => r[6]),
        items.map((i) => STATE_LABELS_RU[i.state]),
      );
      for (const r of data) {
        assert.match(r[7]!, /^\d{2}\.\d{2}\.\d{4}$/);
        assert.match(r[8]!, /^\d{2}\.\d{2}\.\d{4}$/);
        assert.doesNotMatch(r.join(' '), /\d{4}-\d{2}-\d{2}|answered|received|in_progress|true|false/);
      }
      const audit = await kz.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        (audit.details as { requestIds: string[] }).requestIds,
        items.map((i) => i.id),
      );
      assert.equal((audit.details as { export: string }).export, 'csv');

      const xlsx = await exportRequestList(kz.ctx, officer, { ...filter, format: 'xlsx' });
      assert.match(xlsx.fileName, /\.xlsx$/);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.content as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      assert.equal(sheet.name, 'Входящие');
      const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1).map((v) => String(v ?? ''));
      assert.deepEqual(values(1), header);
      assert.equal(sheet.rowCount, items.length + 1);
      assert.deepEqual(values(2), data[0]!.map(String));
    });

    test('bad input: a stable code naming the field', async () => {
      const list = (input: Record<string, unknown>) => listRequests(kz.ctx, officer, input);
      await rejects(list({ direction: 'incoming', sort: 'debtor' }), 'input.invalid', 'sort');
      await rejects(list({ direction: 'incoming', order: 'up' }), 'input.invalid', 'order');
      await rejects(list({ direction: 'incoming', counterpartParty: 'kz' }), 'input.invalid', 'counterpartParty');
      await rejects(list({ direction: 'incoming', from: '2026-02-30' }), 'input.invalid', 'from');
      await rejects(list({ direction: 'incoming', from: '2026-03-10', to: '2026-03-01' }), 'input.invalid', 'to');
      await rejects(list({ direction: 'incoming', deadlineStatus: 'late' }), 'input.invalid', 'deadlineStatus');
      await rejects(list({ direction: 'incoming', cursor: 'not-a-cursor' }), 'input.invalid', 'cursor');
      const page = await list({ direction: 'incoming', sort: 'number', limit: 2 });
      const err = await rejects(
        list({ direction: 'incoming', sort: 'received', cursor: page.nextCursor }),
        'input.invalid',
        'cursor',
      );
      assert.match(err.message, /[а-я]/);
      const forged = Buffer.from(JSON.stringify([1, 'incoming', 'number', 'asc', ["x') or 1=1 --"], 'nope'])).toString(
        'base64url',
      );
      await rejects(list({ direction: 'incoming', sort: 'number', cursor: forged }), 'input.invalid', 'cursor');
      await rejects(
        exportRequestList(kz.ctx, officer, { direction: 'incoming', format: 'pdf' }),
        'input.invalid',
        'format',
      );
    });
  });
}
