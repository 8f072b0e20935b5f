// R12.c dashboard counters (real storage, PGlite and PostgreSQL): open, due
// soon, overdue with and without a delay notice, counted over EVERY open
// incoming request the officer may see — more than one page of the list —
// and equal to classifying each request one by one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { countIncomingByDeadline } from '../../src/app/count-incoming-by-deadline.js';
import { listRequests } from '../../src/app/list-requests.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { classifyOverdue } from '../../src/domain/calendar.js';
import { partyDay } from '../../src/domain/parties.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const DAY = 86_400_000;
const N = 130; // more than the dashboard's first page (100)

for (const e of ENGINES) {
  describe(`R12.c deadline counters on ${e.engine}`, () => {
    let kz: TestNode;
    let officer: Officer;
    let other: Officer;

    before(async () => {
      kz = nodeOn(await e.open(), 'KZ');
      const body = await seedBody(kz.ctx, { id: 'kz-central', party: 'KZ', kind: 'central' });
      officer = await seedOfficer(kz.ctx, body);
      other = await seedOfficer(kz.ctx, await seedBody(kz.ctx, { id: 'kz-almaty', party: 'KZ' }));
      const start = kz.clock.now().getTime() - 60 * DAY;
      for (let i = 0; i < N; i++) {
        // Receipts spread over 60 days before today: deadlines from past to 30 working days ahead.
        const r = await receiveRequest(kz.ctx, SYSTEM, {
          messageId: `m-count-${i}`,
          fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
          toBodyId: 'kz-central',
          receivedAt: new Date(start + i * ((60 * DAY) / N)).toISOString(),
          document: aRequest(),
        });
        if (i % 3 === 0)
          await kz.ctx.db.updateTable('requests').set({ delay_until: '2027-12-31' }).where('id', '=', r.id).execute();
      }
    });
    after(async () => {
      await kz.database.close();
    });

    test('the counters equal classifying every open request, today and on later days', async () => {
      const calendar = await loadCalendar('KZ');
      for (const days of [0, 7, 20]) {
        if (days) kz.clock.advance(days * DAY);
        const today = partyDay(kz.clock.now(), 'KZ');
        const all = [
          ...(await listRequests(kz.ctx, officer, { direction: 'incoming', limit: 100 })).items,
          ...(await listRequests(kz.ctx, officer, { direction: 'incoming', limit: 100, offset: 100 })).items,
        ];
        assert.equal(all.length, N);
        const expected = { open: N, due_soon: 0, overdue_notified: 0, overdue_silent: 0 };
        for (const r of all) {
          const s = classifyOverdue(calendar, {
            deadline: r.deadline!,
            today,
            delayNotified: r.delayUntil !== null,
          }).status;
          if (s !== 'open') expected[s] += 1;
        }
        const counts = await countIncomingByDeadline(kz.ctx, officer);
        assert.deepEqual(counts, expected, `today ${today}`);
        assert.ok(
          counts.due_soon + counts.overdue_notified + counts.overdue_silent > 0,
          'the data exercises the counters',
        );
      }
    });

    test('another body sees none of them; an admin without casework roles is refused', async () => {
      assert.deepEqual(await countIncomingByDeadline(kz.ctx, other), {
        open: 0,
        due_soon: 0,
        overdue_notified: 0,
        overdue_silent: 0,
      });
      const admin = await seedOfficer(kz.ctx, officer.bodyId, ['admin']);
      await rejects(countIncomingByDeadline(kz.ctx, admin), 'access.denied');
    });
  });
}
