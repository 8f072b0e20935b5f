// Issue 17 item 3 at the web door: the officer's «Уведомления на почту» page (linked from his menu and the
// notices page) says when the node sends no mail or he has no address, keeps his choice per topic, and shows a
// wrong value next to the form; the administrator sets an officer's address on the user page and sees the letters
// that failed on the health page, where «Повторить» queues one again.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import type { AppContext, Officer } from '../../src/app/context.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { ENGINES } from '../support/db.js';
import { plainRussianReport } from '../support/plain-russian.js';
import { aRequest } from '../support/requests.js';
import { TestClock, nodeOn, seedBody, seedOfficer, type TestNode, webSignIn } from '../support/app.js';

/** The text of the page's main part, as a reader sees it. */
const visible = (html: string) =>
  (/<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** plainRussianReport of a text whose e-mail addresses are left out (an address is not a word). */
const report = (page: string, text: string) => plainRussianReport(page, text.replace(/[\w.-]+@[\w.-]+/g, ''));

describe('issue 17.3: e-mail notices in the officer UI', () => {
  let kz: TestNode;
  let servers: FastifyInstance[] = [];
  let officer: Officer;
  let admin: Officer;

  const serve = async (ctx: AppContext) => {
    const app = await buildServer({ ctx, logLevel: 'silent', rateLimit: 100_000 });
    servers.push(app);
    return app.listen({ host: '127.0.0.1', port: 0 });
  };
  const client = async (ctx: AppContext, who: Officer) => {
    const base = await serve(ctx);
    const { cookie } = await webSignIn(ctx, base, who);
    const get = async (path: string, status = 200) => {
      const res = await fetch(`${base}${path}`, { headers: cookie, redirect: 'manual' });
      assert.equal(res.status, status, path);
      return res.text();
    };
    const post = async (path: string, form: Record<string, string>, page: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]!, ...form }).toString(),
      });
    return { get, post };
  };

  before(async () => {
    kz = nodeOn(await ENGINES[0]!.open(), 'KZ', new TestClock(Date.parse('2026-11-26T09:00:00+03:00')));
    await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
    officer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
    admin = await seedOfficer(kz.ctx, 'kz-central', ['admin']);
  });
  after(async () => {
    for (const s of servers) await s.close();
    servers = [];
    await kz?.database.close();
  });

  test('without an SMTP server the page says no letters are sent; the menu and the notices page link to it', async () => {
    const { get } = await client(kz.ctx, officer);
    const home = await get('/');
    assert.match(home, /<a href="\/settings\/mail">Почта<\/a>/);
    assert.match(await get('/notices'), /href="\/settings\/mail"/);
    const page = await get('/settings/mail');
    assert.match(visible(page), /Отправка писем на этом узле не настроена: письма не отправляются\./);
    assert.equal(report('/settings/mail', visible(page)), null);
  });

  test('the officer chooses per topic; a wrong value is shown at the form with his choice kept', async () => {
    const ctx = {
      ...kz.ctx,
      mail: { server: 'mail.kz.example:465', digestHour: 8 },
      publicUrl: 'https://eix.kz.example',
    };
    const { get, post } = await client(ctx, officer);
    let page = await get('/settings/mail');
    assert.match(visible(page), /Адрес электронной почты не указан: письма вам не отправляются\./);
    await kz.ctx.db
      .updateTable('officers')
      .set({ email: 'petrova@kz.example' })
      .where('id', '=', officer.officerId)
      .execute();
    page = await get('/settings/mail');
    assert.match(visible(page), /Письма приходят на адрес petrova@kz\.example \./);
    assert.match(page, /<legend>Новый входящий запрос вашему органу<\/legend>/);
    assert.match(page, /id="m-new_request-immediate" name="new_request" value="immediate" checked/);
    assert.match(visible(page), /В ежедневной сводке \(в 08:00\)/);
    assert.equal(report('/settings/mail', visible(page)), null);
    const choice = {
      new_request: 'immediate',
      deadline_soon: 'digest',
      overdue: 'digest',
      answer_received: 'none',
      delivery_failed: 'immediate',
    };
    const bad = await post('/settings/mail', { ...choice, overdue: 'weekly' }, page);
    assert.equal(bad.status, 400);
    const shown = await bad.text();
    assert.match(shown, /id="mail-error" role="alert"/);
    assert.match(shown, /id="m-deadline_soon-digest" name="deadline_soon" value="digest" checked/);
    const ok = await post('/settings/mail', choice, page);
    assert.equal(ok.status, 303);
    page = await get('/settings/mail');
    assert.match(page, /Настройки уведомлений сохранены/);
    assert.match(page, /id="m-answer_received-none" name="answer_received" value="none" checked/);
    assert.match(page, /id="m-overdue-digest" name="overdue" value="digest" checked/);
    const rows = await kz.ctx.db
      .selectFrom('mail_preferences')
      .select(['topic', 'delivery'])
      .where('officer_id', '=', officer.officerId)
      .orderBy('topic')
      .execute();
    assert.equal(rows.length, 5);
    // An administrator without casework has no notices, so no such page.
    const adminClient = await client(ctx, admin);
    assert.doesNotMatch(await adminClient.get('/admin'), /href="\/settings\/mail"/);
    await adminClient.get('/settings/mail', 403);
  });

  test('the administrator sets and removes an officer’s address; a malformed one is refused in place', async () => {
    const { get, post } = await client(kz.ctx, admin);
    const path = `/admin/users/${officer.officerId}`;
    let page = await get(path);
    assert.match(page, /id="email-form"/);
    const bad = await post(`${path}/email`, { email: 'not an address' }, page);
    assert.equal(bad.status, 400);
    const shown = await bad.text();
    assert.match(shown, /id="e-email" role="alert"/);
    assert.match(shown, /value="not an address"/);
    assert.equal((await post(`${path}/email`, { email: 'anna.petrova@kz.example' }, page)).status, 302);
    page = await get(path);
    assert.match(page, /Адрес электронной почты пользователя [^ ]+: anna\.petrova@kz\.example/);
    const stored = () =>
      kz.ctx.db.selectFrom('officers').select('email').where('id', '=', officer.officerId).executeTakeFirstOrThrow();
    assert.equal((await stored()).email, 'anna.petrova@kz.example');
    assert.equal((await post(`${path}/email`, { email: '' }, page)).status, 302);
    assert.equal((await stored()).email, null);
    const audit = await kz.ctx.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'officer.update')
      .where('subject', '=', officer.officerId)
      .execute();
    assert.deepEqual(
      audit.map((a) => (a.details as { email?: string }).email),
      ['changed', 'removed'],
    );
  });

  test('the health page lists failed letters with the reason in Russian; «Повторить» queues one again', async () => {
    const r = await receiveRequest(
      kz.ctx,
      { kind: 'system', name: 'federation' },
      {
        messageId: 'mail-web-1-000',
        fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
        toBodyId: 'kz-central',
        receivedAt: '2026-11-26T10:00:00+05:00',
        document: aRequest((d) => {
          d.number = '77001/26/003001';
        }),
      },
    );
    const event = await kz.ctx.db
      .selectFrom('events')
      .select('id')
      .where('request_id', '=', r.id)
      .executeTakeFirstOrThrow();
    const now = kz.clock.now();
    const letter = await kz.ctx.db
      .insertInto('mail_outbox')
      .values({
        officer_id: officer.officerId,
        event_id: event.id,
        recipient: 'petrova@kz.example',
        subject: 'EIX: Новый запрос № 77001/26/003001 (Россия)',
        body: 'Поступил запрос.',
        status: 'failed',
        attempts: 1,
        last_error: 'smtp:550',
        last_attempt_at: now,
        next_attempt_at: now,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { get, post } = await client(kz.ctx, admin);
    const page = await get('/admin/health');
    const card = visible(/<div class="card" id="mail">([\s\S]*?)<\/div>/.exec(page)![1]!);
    assert.match(card, /Отправка писем не настроена/);
    assert.match(card, /Не отправлено 1/);
    assert.match(card, /Почтовый сервер отказался принять письмо \(код ответа 550\)/);
    assert.equal(report('/admin/health#mail', card), null);
    const res = await post(`/admin/health/mail/${letter.id}/retry`, {}, page);
    assert.equal(res.status, 302);
    const row = await kz.ctx.db
      .selectFrom('mail_outbox')
      .select(['status', 'attempts'])
      .where('id', '=', letter.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'pending', attempts: 0 });
  });
});
