// Issue 17 item 3: e-mail notices to officers, through nodemailer to a local
// SMTP server on loopback (smtp-server; never a real one), on real storage
// (PGlite, and PostgreSQL when it answers). Letters go exactly to the officers
// the notice is for (R16, R18, roles, the officer's choice), a digest carries a
// day's notices in one letter, a server that is down gets every letter once it
// is back, and no letter carries the debtor (seeded with known values).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { startMailWorker, type MailWorker } from '../../src/adapters/mail/mail-worker.js';
import { smtpMailer, smtpServerName } from '../../src/adapters/mail/smtp-mailer.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { getMailPreferences } from '../../src/app/get-mail-preferences.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { getMailQueue } from '../../src/app/get-mail-queue.js';
import { listNotices } from '../../src/app/list-notices.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordDeadlineNotices } from '../../src/app/record-deadline-notices.js';
import { recordEvent, type NewEvent } from '../../src/app/record-event.js';
import { retryMailLetter } from '../../src/app/retry-mail-letter.js';
import { setMailPreferences } from '../../src/app/set-mail-preferences.js';
import { readConfig } from '../../src/config/config.js';
import { classifyOverdue } from '../../src/domain/calendar.js';
import { addDays, calendarDateRu } from '../../src/domain/dates.js';
import { EixError } from '../../src/domain/errors.js';
import { MAIL_TOPIC_OF, digestSlot, mailErrorRu, noticeLetter } from '../../src/domain/mail.js';
import type { Mailer } from '../../src/ports/mailer.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { plainRussianFindings } from '../support/plain-russian.js';
import { aRequest } from '../support/requests.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { startLocalSmtp, type LocalSmtp } from '../support/smtp.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const PUBLIC_URL = 'https://eix.kz.example';
// The debtor, the creditor and the executive document of the example request: no letter may carry them.
const PERSONAL = [
  'Иванов',
  'Иван',
  'IVANOV',
  '500100732259',
  'Тверская',
  '15.05.1980',
  '1980-05-15',
  'Ромашка',
  '1027700132195',
  '012345678',
  '1 500 000',
  '1500000',
  'Тверской',
];

function incoming(n: number, toBodyId: string, confidential: boolean, receivedAt: Date) {
  return {
    messageId: `mail-req-${n}-000`,
    fromBody: RU_BODY,
    toBodyId,
    receivedAt: receivedAt.toISOString(),
    document: aRequest((r) => {
      r.number = `77001/26/00${1000 + n}`;
      r.confidential = confidential;
      r.requestedBody = { ...r.requestedBody!, id: toBodyId };
    }),
  };
}

describe('issue 17.3: mail configuration and the digest hour', () => {
  test('EIX_SMTP_URL needs EIX_MAIL_FROM and smtp:// or smtps://; no message repeats the URL (it may hold a password)', () => {
    assert.equal(readConfig({}).mail, null);
    const bad = (env: Record<string, string>, field: string) => {
      try {
        readConfig(env);
      } catch (e) {
        assert.ok(e instanceof EixError);
        assert.equal(e.data.field, field);
        assert.ok(!e.message.includes('s3cret') && !JSON.stringify(e.data).includes('s3cret'), e.message);
        return;
      }
      assert.fail(`accepted ${JSON.stringify(env)}`);
    };
    bad({ EIX_SMTP_URL: 'smtp://eix:s3cret@mail.kz.example:587' }, 'EIX_MAIL_FROM');
    bad({ EIX_SMTP_URL: 'http://eix:s3cret@mail.kz.example', EIX_MAIL_FROM: 'eix@kz.example' }, 'EIX_SMTP_URL');
    bad({ EIX_SMTP_URL: 'smtp://eix:s3cret@mail.kz.example', EIX_MAIL_FROM: 'not an address' }, 'EIX_MAIL_FROM');
    bad(
      { EIX_SMTP_URL: 'smtps://eix:s3cret@mail.kz.example', EIX_MAIL_FROM: 'a@b.kz', EIX_MAIL_DIGEST_HOUR: '24' },
      'EIX_MAIL_DIGEST_HOUR',
    );
    bad({ EIX_PUBLIC_URL: 'eix.kz.example' }, 'EIX_PUBLIC_URL');
    const c = readConfig({
      EIX_SMTP_URL: 'smtps://eix:s3cret@mail.kz.example',
      EIX_MAIL_FROM: 'EIX <eix@kz.example>',
      EIX_PUBLIC_URL: 'https://eix.kz.example/',
    });
    assert.deepEqual(c.mail, {
      smtpUrl: 'smtps://eix:s3cret@mail.kz.example',
      from: 'EIX <eix@kz.example>',
      digestHour: 8,
    });
    assert.equal(c.publicUrl, 'https://eix.kz.example');
    assert.equal(smtpServerName(c.mail!.smtpUrl), 'mail.kz.example:465');
    assert.equal(readConfig({ EIX_PORT: '8081' }).publicUrl, 'http://127.0.0.1:8081');
  });

  test('the digest is due at the configured local hour, the latest one not after now (a zone with summer time too)', () => {
    const at = (iso: string, tz: string, h: number) => digestSlot(new Date(iso), tz, h).toISOString();
    assert.equal(at('2026-11-26T11:00:00+05:00', 'Asia/Almaty', 8), '2026-11-26T03:00:00.000Z');
    assert.equal(at('2026-11-26T07:59:00+05:00', 'Asia/Almaty', 8), '2026-11-25T03:00:00.000Z');
    assert.equal(at('2026-11-26T08:00:00+05:00', 'Asia/Almaty', 8), '2026-11-26T03:00:00.000Z');
    // Moldova: 08:00 is 06:00 UTC in summer, 05:00 in winter (the day after the change back on 25.10.2026).
    assert.equal(at('2026-07-01T12:00:00Z', 'Europe/Chisinau', 8), '2026-07-01T05:00:00.000Z');
    assert.equal(at('2026-10-26T12:00:00Z', 'Europe/Chisinau', 8), '2026-10-26T06:00:00.000Z');
    assert.equal(mailErrorRu('smtp:550'), 'Почтовый сервер отказался принять письмо (код ответа 550)');
    // A request number from another Party cannot add a header line.
    const letter = noticeLetter(
      { kind: 'request_received', data: { messageId: 'm' }, occurredAt: new Date('2026-11-26T06:00:00Z') },
      { id: 'r', number: '1\r\nBcc: x@evil.example', counterpartParty: 'RU', deadline: null },
      { baseUrl: PUBLIC_URL, timeZone: 'Asia/Almaty' },
    )!;
    assert.equal(letter.subject, 'EIX: Новый запрос № 1 Bcc: x@evil.example (Россия)');
  });
});

for (const engine of ENGINES) {
  describe(`issue 17.3: e-mail notices to officers (${engine.engine})`, () => {
    let kz: TestNode;
    let ctx: AppContext;
    let smtp: LocalSmtp;
    let mailer: Mailer;
    let worker: MailWorker;
    const o: Record<string, Officer> = {};
    const email = (name: string) => `${o[name]!.login}@kz.example`;
    let admin: Officer;

    /** A test's own mailbox: each call returns the letters the local server accepted since the last one. */
    const mailbox = () => {
      let seen = smtp.letters.length;
      return () => {
        const got = smtp.letters.slice(seen);
        seen = smtp.letters.length;
        return got;
      };
    };
    const lines = (got: { to: readonly string[]; subject: string }[]) =>
      got.map((l) => `${l.to.join(',')} | ${l.subject}`).sort();
    const record = (...events: NewEvent[]) =>
      ctx.db.transaction().execute(async (tx) => {
        for (const e of events) await recordEvent(tx, ctx, e);
      });

    before(async () => {
      kz = nodeOn(await engine.open(), 'KZ');
      kz.clock.set('2026-11-26T11:00:00+05:00');
      ctx = { ...kz.ctx, mail: { server: '127.0.0.1', digestHour: 8 }, publicUrl: PUBLIC_URL };
      await seedBody(ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      await seedBody(ctx, { id: 'kz-almaty', kind: 'territorial', parentId: 'kz-central' });
      const people: [string, string, Officer['roles']][] = [
        ['central', 'kz-central', ['officer']],
        ['centralBoss', 'kz-central', ['officer', 'central']],
        ['almaty', 'kz-almaty', ['officer']],
        // R16: a `central` officer of a territorial body sees other bodies' requests, not their confidential ones.
        ['almatyCentral', 'kz-almaty', ['officer', 'central']],
        ['optedOut', 'kz-central', ['officer']],
        ['noEmail', 'kz-central', ['officer']],
        ['blocked', 'kz-central', ['officer']],
        ['digest', 'kz-central', ['supervisor']],
        ['admin', 'kz-central', ['admin']],
      ];
      for (const [name, body, roles] of people) o[name] = await seedOfficer(ctx, body, roles);
      admin = o.admin!;
      for (const name of Object.keys(o).filter((n) => n !== 'noEmail'))
        await ctx.db
          .updateTable('officers')
          .set({ email: email(name) })
          .where('id', '=', o[name]!.officerId)
          .execute();
      await ctx.db
        .updateTable('officers')
        .set({ disabled_at: kz.clock.now() })
        .where('id', '=', o.blocked!.officerId)
        .execute();
      const all = (d: string) => ({
        topics: { new_request: d, deadline_soon: d, overdue: d, answer_received: d, delivery_failed: d },
      });
      await setMailPreferences(ctx, o.optedOut!, all('none'));
      await setMailPreferences(ctx, o.digest!, all('digest'));
      smtp = await startLocalSmtp();
      mailer = smtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'EIX <eix@kz.example>', timeoutMs: 3000 });
      worker = startMailWorker(ctx, mailer, { intervalMs: 1e9, onError: (e) => assert.fail(String(e)) });
    });
    after(async () => {
      await worker.stop();
      mailer.close();
      await smtp.close();
      await kz.database.close();
    });

    // One scenario over days and weeks of the node's clock: the digest of a day and the deadlines weeks later are
    // about the requests of the first day, and every notice the node records on its way adds to what later steps see.
    test('issue 17.3, R16, R18, R12.c: new requests, answers and failed deliveries reach exactly the officers their notices are for; a daily digest carries a day’s notices in one letter; five working days left and overdue are mailed', async () => {
      const take = mailbox();
      // Step 1 (26.11.2026 11:00): new requests, answers and failed deliveries reach exactly the officers their
      // notices are for.
      const now = kz.clock.now();
      const reqA = await receiveRequest(ctx, SYSTEM, incoming(1, 'kz-central', true, now));
      const reqB = await receiveRequest(ctx, SYSTEM, incoming(2, 'kz-almaty', false, now));
      // R18: received by the central body and forwarded to Almaty before the worker looks: its receipt is no
      // longer for kz-central's plain officer (he may not open it now), nor for Almaty's (not his body's event).
      const forwarded = await receiveRequest(ctx, SYSTEM, incoming(4, 'kz-central', false, now));
      await forwardRequest(ctx, o.centralBoss!, { requestId: forwarded.id, toBodyId: 'kz-almaty' });
      await record(
        {
          kind: 'answer_received',
          requestId: reqA.id,
          bodyId: 'kz-central',
          data: { messageId: 'a', final: true, items: 1 },
        },
        {
          kind: 'delivery_failed',
          requestId: reqB.id,
          bodyId: 'kz-almaty',
          data: { messageId: 'b', type: 'answer_final', error: 'transport.failed' },
        },
        // Not mailed: another step of the other Party, a delayed delivery, destroyed data.
        {
          kind: 'step_received',
          requestId: reqA.id,
          bodyId: 'kz-central',
          data: { messageId: 'c', event: 'withdraw' },
        },
        {
          kind: 'delivery_delayed',
          requestId: reqB.id,
          bodyId: 'kz-almaty',
          data: { messageId: 'd', type: 'answer_final', error: 'transport.failed' },
        },
      );
      await worker.drain();
      const got = take();
      const A = 'Новый запрос № 77001/26/001001 (Россия)';
      const B = 'Новый запрос № 77001/26/001002 (Россия)';
      const answerA = 'Получен ответ на запрос № 77001/26/001001 (Россия)';
      const failedB = 'Не доставлено сообщение по запросу № 77001/26/001002';
      const F = 'Новый запрос № 77001/26/001004 (Россия)';
      assert.deepEqual(
        lines(got),
        [
          // A is confidential at kz-central: its officers and the central body's `central` officer (R16).
          `${email('central')} | EIX: ${A}`,
          `${email('central')} | EIX: ${answerA}`,
          `${email('centralBoss')} | EIX: ${A}`,
          `${email('centralBoss')} | EIX: ${answerA}`,
          // B at kz-almaty: its officers, and `central` officers of any body (R18).
          `${email('almaty')} | EIX: ${B}`,
          `${email('almaty')} | EIX: ${failedB}`,
          `${email('almatyCentral')} | EIX: ${B}`,
          `${email('almatyCentral')} | EIX: ${failedB}`,
          `${email('centralBoss')} | EIX: ${B}`,
          `${email('centralBoss')} | EIX: ${failedB}`,
          // The forwarded request: its forward for Almaty's officers, its receipt and forward for `central` ones.
          `${email('almaty')} | EIX: ${F}`,
          `${email('almatyCentral')} | EIX: ${F}`,
          `${email('almatyCentral')} | EIX: ${F}`,
          `${email('centralBoss')} | EIX: ${F}`,
          `${email('centralBoss')} | EIX: ${F}`,
        ].sort(),
      );
      // One recipient per letter, from the configured sender.
      assert.ok(
        got.every((l) => l.to.length === 1 && l.from === 'eix@kz.example' && /eix@kz\.example/.test(l.headers.from!)),
      );
      // The same officers as the notices (noticeScope), for every officer of the node.
      const rows = await ctx.db.selectFrom('mail_outbox').select(['officer_id', 'event_id']).execute();
      const items = await ctx.db.selectFrom('mail_digest_items').select(['officer_id', 'event_id']).execute();
      for (const [name, officer] of Object.entries(o)) {
        if (name === 'admin') continue;
        const mailed = [...rows, ...items]
          .filter((r) => r.officer_id === officer.officerId)
          .map((r) => String(r.event_id))
          .sort();
        const noticed = (await listNotices(ctx, officer)).notices
          .filter((n) => MAIL_TOPIC_OF[n.kind] !== null)
          .map((n) => n.id)
          .sort();
        const expected = ['optedOut', 'noEmail', 'blocked'].includes(name) ? [] : noticed;
        assert.deepEqual(mailed, expected, name);
      }
      // The letter itself: the request number, the other Party, the deadline and the time in ДД.ММ.ГГГГ of the
      // body's zone, the link to the request page; plain Russian.
      const first = got.find((l) => l.to[0] === email('central') && l.subject.endsWith(A))!;
      assert.equal(
        first.text,
        [
          'Поступил запрос № 77001/26/001001 (Россия).',
          '',
          'Запрос № 77001/26/001001',
          'Другая Сторона: Россия',
          `Срок исполнения: до ${calendarDateRu(reqA.deadline)}`,
          'Время события: 26.11.2026 11:00 (время вашего органа)',
          `Открыть запрос: ${PUBLIC_URL}/requests/${reqA.id}`,
          '',
          '—',
          'Письмо отправлено системой EIX автоматически, отвечать на него не нужно.',
          `Какие уведомления присылать на почту, вы выбираете на странице ${PUBLIC_URL}/settings/mail`,
        ].join('\n'),
      );
      for (const l of got) {
        for (const secret of PERSONAL)
          assert.ok(!`${l.raw}\n${l.subject}\n${l.text}`.includes(secret), `${secret} in «${l.subject}»`);
        // Links are addresses, not words.
        assert.deepEqual(plainRussianFindings(`${l.subject}\n${l.text}`.replace(/https?:\/\/\S+/g, '')), [], l.text);
      }

      {
        // Step 2 (27.11–28.11): a daily digest carries the day’s notices in one letter at the local hour, the next
        // day’s in the next. The supervisor who chose the digest has A's two notices waiting; 11:00 is after
        // today's 08:00.
        await worker.drain();
        assert.deepEqual(take(), []);
        // An event after today's hour but before the digest is made: letters at once, and tomorrow's digest.
        kz.clock.set('2026-11-27T08:15:00+05:00');
        await record({
          kind: 'answer_received',
          requestId: reqA.id,
          bodyId: 'kz-central',
          data: { messageId: 'e', final: false, items: 1 },
        });
        kz.clock.set('2026-11-27T08:30:00+05:00');
        await worker.drain();
        const got = take();
        const digest = got.find((l) => l.to[0] === email('digest'));
        assert.deepEqual(
          got
            .filter((l) => l !== digest)
            .map((l) => l.to[0])
            .sort(),
          [email('central'), email('centralBoss')].sort(),
        );
        assert.deepEqual(digest!.to, [email('digest')]);
        assert.equal(digest!.subject, 'EIX: сводка уведомлений на 27.11.2026 (2)');
        assert.match(
          digest!.text,
          /^Сводка уведомлений системы EIX на 27\.11\.2026 08:00 \(время вашего органа\)\.\nУведомлений: 2\./,
        );
        assert.ok(
          digest!.text.includes(`1. 26.11.2026 11:00. Поступил запрос № 77001/26/001001 (Россия).`),
          digest!.text,
        );
        assert.ok(digest!.text.includes(`2. 26.11.2026 11:00. Получен ответ на запрос № 77001/26/001001 (Россия).`));
        assert.ok(!digest!.text.includes('частичный'), 'the 08:15 event waits for tomorrow');
        assert.ok(digest!.text.includes(`${PUBLIC_URL}/requests/${reqA.id}`));
        for (const secret of PERSONAL) assert.ok(!digest!.text.includes(secret), secret);
        // An event dated before today's hour that arrives after today's digest (a receipt time in the past): tomorrow's.
        kz.clock.set('2026-11-27T23:59:00+05:00');
        await record({
          kind: 'answer_received',
          requestId: reqA.id,
          bodyId: 'kz-central',
          data: { messageId: 'g', final: true, items: 1 },
          at: new Date('2026-11-27T07:00:00+05:00'),
        });
        await worker.drain();
        assert.deepEqual(
          take()
            .map((l) => l.to[0])
            .sort(),
          [email('central'), email('centralBoss')].sort(),
          'one digest a day',
        );
        kz.clock.set('2026-11-28T08:00:00+05:00');
        await worker.drain();
        const next = take();
        assert.deepEqual(
          next.map((l) => [l.to[0], l.subject]),
          [[email('digest'), 'EIX: сводка уведомлений на 28.11.2026 (2)']],
        );
        assert.ok(next[0]!.text.includes('1. 27.11.2026 08:15. Получен частичный ответ на запрос № 77001/26/001001'));
        assert.ok(next[0]!.text.includes('2. 27.11.2026 07:00. Получен ответ на запрос № 77001/26/001001'));
      }

      {
        // Step 3 (weeks later): five working days left and overdue are mailed with the deadline in ДД.ММ.ГГГГ.
        const cal = await loadCalendar('KZ');
        const deadline = reqA.deadline;
        assert.equal(reqB.deadline, deadline);
        let day = deadline;
        while (classifyOverdue(cal, { deadline, today: day, delayNotified: false }).workingDaysLeft < 3)
          day = addDays(day, -1);
        kz.clock.set(`${day}T10:00:00+05:00`);
        await recordDeadlineNotices(ctx, SYSTEM);
        await worker.drain();
        const soon = lines(take());
        const due = calendarDateRu(deadline);
        assert.deepEqual(
          soon,
          [
            `${email('central')} | EIX: Истекает срок исполнения запроса № 77001/26/001001: до ${due}`,
            `${email('centralBoss')} | EIX: Истекает срок исполнения запроса № 77001/26/001001: до ${due}`,
            `${email('almaty')} | EIX: Истекает срок исполнения запроса № 77001/26/001002: до ${due}`,
            `${email('almatyCentral')} | EIX: Истекает срок исполнения запроса № 77001/26/001002: до ${due}`,
            `${email('centralBoss')} | EIX: Истекает срок исполнения запроса № 77001/26/001002: до ${due}`,
            // The request forwarded to Almaty (R18) is Almaty's now.
            `${email('almaty')} | EIX: Истекает срок исполнения запроса № 77001/26/001004: до ${due}`,
            `${email('almatyCentral')} | EIX: Истекает срок исполнения запроса № 77001/26/001004: до ${due}`,
            `${email('centralBoss')} | EIX: Истекает срок исполнения запроса № 77001/26/001004: до ${due}`,
          ].sort(),
        );
        kz.clock.set(`${addDays(deadline, 1)}T10:00:00+05:00`);
        await recordDeadlineNotices(ctx, SYSTEM);
        await worker.drain();
        const [digest, ...others] = take().sort(
          (a, b) => Number(b.to[0] === email('digest')) - Number(a.to[0] === email('digest')),
        );
        // The supervisor's digest of the day carries yesterday's notice of five working days left.
        assert.deepEqual(digest!.to, [email('digest')]);
        assert.match(
          digest!.text,
          /До окончания срока исполнения запроса № 77001\/26\/001001 \(Россия\) осталось 3 рабочих дня/,
        );
        const overdue = others;
        assert.deepEqual(overdue.map((l) => l.subject).sort(), [
          'EIX: Истёк срок по запросу № 77001/26/001001 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001001 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001002 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001002 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001002 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001004 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001004 (Россия)',
          'EIX: Истёк срок по запросу № 77001/26/001004 (Россия)',
        ]);
        assert.ok(overdue.every((l) => l.text.includes(`срок был до ${due}`)));
      }
    });

    test('issue 17.3: a mail server that is down gets every letter once it is back (retried with backoff, visible to the administrator)', async () => {
      const take = mailbox();
      await smtp.close();
      const now = kz.clock.now();
      const c = await receiveRequest(ctx, SYSTEM, incoming(3, 'kz-almaty', false, now));
      await worker.drain();
      const waiting = () =>
        ctx.db
          .selectFrom('mail_outbox')
          .select(['recipient', 'status', 'attempts', 'last_error'])
          .where('event_id', 'in', ctx.db.selectFrom('events').select('id').where('request_id', '=', c.id))
          .execute();
      assert.deepEqual(
        (await waiting()).map((w) => [w.status, w.attempts, w.last_error]),
        [
          ['pending', 1, 'refused'],
          ['pending', 1, 'refused'],
          ['pending', 1, 'refused'],
        ],
      );
      const queue = await getMailQueue(ctx, admin);
      assert.equal(queue.byStatus.pending, 3);
      assert.deepEqual(
        queue.troubled.map((t) => [t.status, t.attempts, t.reasonRu]),
        Array(3).fill(['pending', 1, 'Почтовый сервер недоступен: соединение отклонено']),
      );
      kz.clock.advance(60_000);
      await worker.drain();
      assert.ok((await waiting()).every((w) => w.status === 'pending' && w.attempts === 2));
      await smtp.restart();
      await worker.drain();
      assert.deepEqual(take(), [], 'not before the next attempt is due');
      kz.clock.advance(120_000);
      await worker.drain();
      assert.ok((await waiting()).every((w) => w.status === 'delivered' && w.attempts === 3));
      assert.deepEqual(
        take()
          .map((l) => l.to[0])
          .sort(),
        [email('almaty'), email('almatyCentral'), email('centralBoss')].sort(),
      );
      assert.equal((await getMailQueue(ctx, admin)).troubled.length, 0);
    });

    test('issue 17.3: a recipient the server refuses for good fails at once; the administrator retries it (audited)', async () => {
      const take = mailbox();
      // A request of Almaty's own; the letters of its receipt are the first test's subject.
      const reqB = await receiveRequest(ctx, SYSTEM, incoming(5, 'kz-almaty', false, kz.clock.now()));
      await worker.drain();
      take();
      smtp.refuse.add(email('almaty'));
      await record({
        kind: 'answer_received',
        requestId: reqB.id,
        bodyId: 'kz-almaty',
        data: { messageId: 'f', final: true, items: 1 },
      });
      await worker.drain();
      assert.deepEqual(
        take()
          .map((l) => l.to[0])
          .sort(),
        [email('almatyCentral'), email('centralBoss')].sort(),
      );
      const queue = await getMailQueue(ctx, admin);
      const failed = queue.troubled.filter((t) => t.status === 'failed');
      assert.deepEqual(
        failed.map((t) => [t.recipient, t.attempts, t.reasonRu]),
        [[email('almaty'), 1, 'Почтовый сервер отказался принять письмо (код ответа 550)']],
      );
      assert.equal(queue.troubled[0]!.status, 'failed', 'failures first');
      await rejects(retryMailLetter(ctx, o.almaty!, failed[0]!.id), 'access.denied');
      smtp.refuse.clear();
      await retryMailLetter(ctx, admin, failed[0]!.id);
      await rejects(retryMailLetter(ctx, admin, 'x'), 'mail.not_found');
      await worker.drain();
      assert.deepEqual(
        take().map((l) => l.to[0]),
        [email('almaty')],
      );
      const audit = await ctx.db.selectFrom('audit_log').select('action').where('action', '=', 'mail.retry').execute();
      assert.equal(audit.length, 1);
    });

    test('issue 17.3: the officer’s choice is his own, checked per topic; an administrator has none', async () => {
      const mine = await getMailPreferences(ctx, o.central!);
      assert.equal(mine.email, email('central'));
      assert.equal(mine.mailConfigured, true);
      assert.ok(mine.topics.every((t) => t.delivery === 'immediate'));
      await rejects(
        setMailPreferences(ctx, o.central!, { topics: { overdue: 'sometimes' } }),
        'input.invalid',
        'topics.overdue',
      );
      await rejects(setMailPreferences(ctx, o.central!, { topics: { weather: 'digest' } }), 'input.invalid');
      await rejects(setMailPreferences(ctx, o.central!, { topics: {} }), 'input.invalid');
      await rejects(setMailPreferences(ctx, admin, { topics: { overdue: 'none' } }), 'access.denied');
      const after = await setMailPreferences(ctx, o.central!, { topics: { overdue: 'digest' } });
      assert.deepEqual(
        after.topics.map((t) => [t.topic, t.delivery]),
        [
          ['new_request', 'immediate'],
          ['deadline_soon', 'immediate'],
          ['overdue', 'digest'],
          ['answer_received', 'immediate'],
          ['delivery_failed', 'immediate'],
        ],
      );
      assert.equal((await getMailPreferences(ctx, o.noEmail!)).email, null);
      assert.equal(
        (await getMailPreferences({ ...ctx, mail: undefined } as AppContext, o.central!)).mailConfigured,
        false,
      );
    });
  });
}
