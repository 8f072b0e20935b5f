/// <reference lib="dom" />
// Issue 15 in real headless Chromium (ru-RU, each node's time zone) on a three-node federation: the administrator
// signs in with the second factor and lands on the administration page; adds a body and reads that it cannot sign
// until its seal certificate is imported (the request to download is there); the health page shows a Party whose
// node is down; he blocks a user, who can no longer sign in, and resets another's password, which must be changed at
// the next login. KZ's central officer forwards a request to Almaty from the request page (R18) and RU sees where it
// went. Pages are read by the plain-Russian checker (console commands in <code> aside) and checked for labels,
// keyboard order and 390 px. Screenshots: test-results/admin-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { generate } from 'otplib';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PARTIES, partyDay } from '../../src/domain/parties.js';
import { requestableBodies } from '../../src/domain/treaty.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, startTestFederation } from '../support/federation.js';
import { enrolSecondFactor } from '../support/app.js';
import { aRequest } from '../support/requests.js';
import { browserSkip, checkAccessible, launchBrowser, readPlainRussian } from '../support/browser.js';

describe('issue 15: administration, health and forwarding in Chromium', { skip: browserSkip }, () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let browser: Browser;

  before(async () => {
    fed = await startTestFederation();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fed?.close();
  });

  // BY's node is stopped by the first test: later deliveries are between RU and KZ only.
  const settleRuKz = async () => {
    for (let i = 0; i < 3; i++) for (const p of ['RU', 'KZ'] as const) await fed.nodes[p].worker!.drain();
  };
  const password = (login: string) => fed.logins.find((x) => x.login === login)!.password;

  async function open(party: 'RU' | 'KZ'): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
      timezoneId: PARTIES[party].timeZone,
    });
    return context.newPage();
  }

  async function signIn(party: 'RU' | 'KZ', login: string, pass = password(login)): Promise<Page> {
    const page = await open(party);
    await page.goto(`${fed.nodes[party].apiUrl}/login`);
    await page.getByLabel('Имя пользователя').fill(login);
    await page.getByLabel('Пароль').fill(pass);
    await page.getByRole('button', { name: 'Войти' }).click();
    return page;
  }

  // Login names and body identifiers are what an administrator types (Latin by design); he reads them as names.
  // Console commands shown in <code> are not prose.
  const read = (page: Page, name: string) =>
    readPlainRussian(page, `admin-${name}`, {
      dropCode: true,
      names: [...fed.logins.map((l) => l.login), ...['ru-fssp-50', 'ru-fssp-77', 'ru-fssp', 'ru-node']],
    });
  const accessible = (page: Page, name: string) => checkAccessible(page, `admin-${name}`);

  test('the administrator: a body that cannot sign yet, the health page, blocking and resetting users', async () => {
    const ru = fed.nodes.RU.wired.ctx;
    const admin = await officer(fed.nodes.RU, 'ru.admin');
    const secret = await enrolSecondFactor(ru, admin.officerId);
    const page = await signIn('RU', 'ru.admin');
    await page.waitForURL(/\/login\/code$/);
    await page.getByLabel('Код').fill(await generate({ secret, epoch: Math.floor(ru.clock.now().getTime() / 1000) }));
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    // Issue 15.2: the administrator lands on the administration page; his menu has no casework pages.
    await page.waitForURL(/\/admin$/);
    const menu = await page.locator('nav[aria-label="Основное меню"]').innerText();
    assert.doesNotMatch(menu, /Исполнительные производства/);
    await read(page, 'landing');

    // Issue 15.1: a new body has a key and a request for its certificate, and cannot sign until one is imported.
    await page.fill('#body-id', 'ru-fssp-50');
    await page.fill('#body-name', 'ГУФССП России по Московской области');
    await page.fill('#body-address', '143400, г. Красногорск, ул. Речная, д. 8');
    await page.getByRole('button', { name: 'Добавить орган' }).click();
    await page.waitForURL(/\/admin$/);
    await page.getByRole('link', { name: 'ГУФССП России по Московской области' }).click();
    await page.waitForURL(/\/admin\/bodies\/ru-fssp-50$/);
    const body = await read(page, 'body');
    assert.match(body, /не может подписывать/);
    const csr = await page.request.get(`${fed.nodes.RU.apiUrl}/admin/bodies/ru-fssp-50/csr`);
    assert.equal(csr.status(), 200);
    assert.match(await csr.text(), /BEGIN CERTIFICATE REQUEST/);
    await accessible(page, 'body');

    // Issue 15.4: a Party whose node is down is shown so on the health page.
    await fed.nodes.BY.stop();
    const me = await officer(fed.nodes.RU, 'ru.officer');
    const proceedingId = (await ru.db.selectFrom('proceedings').select('id').executeTakeFirstOrThrow()).id;
    const by = requestableBodies(ru.treaty(), 'RU', partyDay(ru.clock.now(), 'RU')).find((x) => x.party === 'BY')!;
    const d = await draftRequest(ru, me, {
      proceedingId,
      requestedBody: { id: by.id, party: by.party, name: by.name },
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник мог выехать в Республику Беларусь.',
    });
    await signRequest(ru, me, { requestId: d.id });
    await fed.nodes.RU.worker!.drain();
    await page.goto(`${fed.nodes.RU.apiUrl}/admin`);
    await page.getByRole('link', { name: 'Состояние узла' }).first().click();
    await page.waitForURL(/\/admin\/health$/);
    const health = await read(page, 'health');
    assert.match(health, /Беларусь[\s\S]*недоступен/);
    await accessible(page, 'health');

    // Issue 15.2: a blocked user cannot sign in; a reset password must be changed at the next login.
    await page.getByRole('link', { name: 'Пользователи' }).first().click();
    await page.waitForURL(/\/admin\/users/);
    await page.getByLabel('Имя входа или ФИО').fill('ru.supervisor');
    await page.getByRole('button', { name: 'Показать' }).click();
    await read(page, 'users');
    await accessible(page, 'users');
    await page
      .getByRole('link', { name: /ru\.supervisor|Супервайзер|Сидоров|Кузнецов/ })
      .first()
      .click();
    await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Заблокировать…' }).click();
    await page.getByRole('button', { name: 'Заблокировать', exact: true }).click();
    await page.waitForSelector('text=Пользователь заблокирован');
    await read(page, 'user-blocked');
    const blocked = await signIn('RU', 'ru.supervisor');
    await blocked.waitForSelector('.flash');
    assert.match(await blocked.locator('.flash').innerText(), /Неверное имя пользователя или пароль|заблокирован/);

    await page.goto(`${fed.nodes.RU.apiUrl}/admin/users?q=ru.central`);
    await page
      .getByRole('link', { name: /ru\.central|Центральн/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Сбросить пароль…' }).click();
    await page.getByRole('button', { name: 'Сбросить пароль', exact: true }).click();
    await page.waitForSelector('#one-time-password');
    const temporary = (await page.locator('#one-time-password code').innerText()).trim();
    await read(page, 'user-reset');
    const reset = await signIn('RU', 'ru.central', temporary);
    await reset.waitForURL(/\/password$/);
    assert.match(await read(reset, 'password-must-change'), /Смена пароля/);
  });

  test('KZ’s central officer forwards a request to Almaty from the request page; RU sees where it went (R18)', async () => {
    const ru = fed.nodes.RU.wired.ctx;
    const me = await officer(fed.nodes.RU, 'ru.officer');
    const example = aRequest();
    const proceedingId = (
      await createProceeding(ru, me, {
        number: '8181/26/77001-ИП',
        openedOn: '2026-03-02',
        debtor: { ...example.debtor!, address: 'Республика Казахстан, г. Алматы, ул. Абая, д. 10, кв. 5' },
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument!],
      })
    ).id;
    const d = await draftRequest(ru, me, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник проживает в г. Алматы.',
    });
    const s = await signRequest(ru, me, { requestId: d.id });
    await settleRuKz();
    const incoming = await fed.nodes.KZ.wired.ctx.db
      .selectFrom('requests')
      .select('id')
      .where('message_id', '=', s.messageId)
      .where('direction', '=', 'incoming')
      .executeTakeFirstOrThrow();

    const kz = await signIn('KZ', 'kz.officer');
    await kz.waitForURL(/\/$/);
    await kz.goto(`${fed.nodes.KZ.apiUrl}/requests/${incoming.id}`);
    assert.match(await kz.locator('#step-forward').innerText(), /по адресу должника: г\. Алматы/);
    await kz.getByRole('button', { name: 'Передать…' }).click();
    await kz.waitForSelector('text=Подтвердить передачу');
    await read(kz, 'forward-confirm');
    await kz.getByRole('button', { name: 'Подтвердить передачу' }).click();
    await kz.waitForURL(new RegExp(`/requests/${incoming.id}$`));
    await settleRuKz();

    const ruPage = await signIn('RU', 'ru.officer');
    await ruPage.waitForURL(/\/$/);
    await ruPage.goto(`${fed.nodes.RU.apiUrl}/requests/${d.id}`);
    const seen = await read(ruPage, 'forwarded-ru');
    assert.match(seen, /Передан: Департамент юстиции города Алматы/);
  });
});
