/// <reference lib="dom" />
// R11, R14, R-KZ on receipt, in real headless Chromium: another Party's node
// (its own software, weaker checks) sends Kazakhstan a request that misses
// Article 11 elements and asks for 6.a property, which Kazakhstan's
// reservation covers. The request is received (its term runs), and the KZ
// officer sees what is missing and the reservation on the request page, and
// asks for the missing information (Article 14) from a form filled in for her.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { getRequest } from '../../src/app/get-request.js';
import type { Message } from '../../src/domain/messages.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, startTestFederation } from '../support/federation.js';
import { hostileParty } from '../support/hostile-peer.js';
import { aRequest } from '../support/requests.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

describe('R11, R-KZ: what the check on receipt found, shown to the requested officer', { skip: browserSkip }, () => {
  let fed: RunningDemo & { dir: string; close(): Promise<void> };
  let browser: Browser;

  before(async () => {
    fed = await startTestFederation();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fed?.close();
  });

  test('R11, R14, R-KZ: missing elements and the reservation are listed; the Article 14 form starts from them', async () => {
    // RU's real keys and node identity, its own (deficient) document: no debtor's birth date, no grounds.
    const ru = await hostileParty(fed.dir, 'RU');
    const number = `77001/26/${randomUUID().slice(0, 6)}`;
    const doc = aRequest((r) => {
      r.number = number;
      if (r.debtor?.type === 'individual') delete r.debtor.birthDate;
      delete r.grounds;
    });
    const message: Message = {
      envelope: {
        id: randomUUID(),
        type: 'request',
        schemaVersion: 1,
        from: { party: 'RU', body: 'ru-fssp-77' },
        to: { party: 'KZ', body: 'kz-central' },
        createdAt: new Date().toISOString(),
        officer: { id: 'ru-1', name: 'Петрова Анна Сергеевна', position: 'судебный пристав-исполнитель' },
      },
      body: { request: doc },
    };
    const sent = await ru.send(fed.nodes.KZ.wired.federation!.registry().parties.KZ!.nodes[0]!.url, message);
    assert.equal(sent.status, 200, `received (its term runs): ${sent.text.slice(0, 300)}`);

    const kz = fed.nodes.KZ.wired.ctx;
    const row = await kz.db
      .selectFrom('requests')
      .select('id')
      .where('message_id', '=', message.envelope.id)
      .executeTakeFirstOrThrow();
    const view = await getRequest(kz, await officer(fed.nodes.KZ, 'kz.officer'), row.id);
    assert.ok(view.deadline, 'the deadline runs although elements are missing');
    const codes = view.receiptCheck!.problems.map((p) => p.code);
    assert.ok(
      codes.some((c) => c.startsWith('R11.1.c')),
      `debtor's birth date: ${codes.join(', ')}`,
    );
    assert.ok(
      codes.some((c) => c.startsWith('R11.1.e')),
      `grounds: ${codes.join(', ')}`,
    );
    assert.deepEqual(
      view.receiptCheck!.notices.map((n) => n.code),
      ['R-KZ'],
    );

    const context = await browser.newContext({
      viewport: { width: 1280, height: 1000 },
      locale: 'ru-RU',
      timezoneId: 'Asia/Almaty',
    });
    const page = await context.newPage();
    const login = fed.logins.find((l) => l.login === 'kz.officer')!;
    await page.goto(`${fed.nodes.KZ.apiUrl}/login`);
    await page.getByLabel('Имя пользователя').fill(login.login);
    await page.getByLabel('Пароль').fill(login.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    await page.goto(`${fed.nodes.KZ.apiUrl}/requests/${row.id}`);
    const card = page.locator('#receipt-check');
    await card.waitFor();
    const text = await card.innerText();
    assert.match(text, /не хватает сведений или они указаны неверно \(статья 11/);
    assert.match(text, /рождения/i, 'the missing birth date is named');
    assert.match(text, /Оговорка/, 'the reservation of Kazakhstan is shown');
    assert.match(text, /статьи 6|6\.a|6\.а/, 'on the 6.a property item');
    assert.doesNotMatch(text, /R11|R-KZ|undefined|null/, 'no rule codes or raw values on screen');
    assert.doesNotMatch(text, /debtor\.birthDate|\(grounds\)/, 'no field paths on screen');
    await page.screenshot({ path: `${SHOTS}receipt-check-kz.png`, fullPage: true });

    // Article 14: the officer asks for the missing information from a form already filled in.
    await card.getByRole('link', { name: 'Запросить дополнительную информацию' }).click();
    const questions = page.locator('#step-request_additional_info textarea[name="questions"]');
    const prefilled = await questions.inputValue();
    assert.match(prefilled, /Просим сообщить недостающие сведения/);
    assert.match(prefilled, /рождения/i);
    assert.doesNotMatch(prefilled, /debtor\.birthDate/);
    await page.locator('#step-request_additional_info').getByRole('button', { name: 'Запросить' }).click();
    await page.waitForURL(new RegExp(`/requests/${row.id}$`));
    const after = await getRequest(kz, await officer(fed.nodes.KZ, 'kz.officer'), row.id);
    assert.ok(
      after.events.some((e) => e.event === 'request_additional_info'),
      'the Article 14 step is recorded and queued for the requesting body',
    );
    await context.close();
  });
});
