/// <reference lib="dom" />
// Issue 13, item 3 in real headless Chromium: an administrator without a second
// factor is sent to enrolment after the password (QR code + key in text, a code
// confirms, ten recovery codes shown once); the login is then two steps —
// password, then code; a wrong and a replayed code are refused, a recovery code
// works once. An officer whose password an admin reset reaches only the
// change-password page until it is changed (ASVS V2.8.x, V2.6.x, V2.5.x).
// The code is computed here with otplib from the key shown on the page; the
// node runs on a test clock, so no step of the test depends on wall-clock time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { updateOfficer } from '../../src/app/update-officer.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

const PASSWORD = 'admin-correct-horse-battery';

describe('issue 13.3: second factor and forced password change in Chromium', { skip: browserSkip }, () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let admin: Officer;
  let officer: Officer;

  before(async () => {
    node = nodeOn(await ENGINES[0]!.open(), 'RU');
    const body = await seedBody(node.ctx, { kind: 'central' });
    admin = await seedOfficer(node.ctx, body, ['admin']);
    officer = await seedOfficer(node.ctx, body, ['officer']);
    await node.ctx.db
      .updateTable('officers')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', admin.officerId)
      .execute();
    app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await node?.database.close();
  });

  const code = (secret: string) => generate({ secret, epoch: Math.floor(node.clock.now().getTime() / 1000) });

  async function password(page: Page, login: string, pw: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel('Имя пользователя').fill(login);
    await page.getByLabel('Пароль').fill(pw);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForLoadState();
  }
  async function logout(page: Page): Promise<void> {
    await page.getByRole('button', { name: /Выйти|Отменить вход/ }).click();
    await page.waitForURL(/\/login$/);
  }
  async function enterCode(page: Page, c: string): Promise<void> {
    await page.getByLabel('Код').fill(c);
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.waitForLoadState();
  }

  test('V2.8.x: admin enrols (QR + key), logs in with a TOTP code; wrong and replayed codes refused; a recovery code works once', async () => {
    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await password(page, admin.login, PASSWORD);
    assert.match(page.url(), /\/security$/, 'an admin without a second factor is sent to enrolment');
    assert.match(await page.getByRole('alert').innerText(), /Администратору узла нужен второй фактор/);
    await page.goto(`${base}/admin`);
    assert.match(page.url(), /\/security$/, 'nothing else until enrolled');

    await page.getByRole('button', { name: 'Подключить приложение-аутентификатор' }).click();
    await page.waitForSelector('#totp-secret');
    assert.equal(await page.locator('figure.qr svg').count(), 1, 'a QR code');
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.screenshot({ path: `${SHOTS}totp-enrol.png`, fullPage: true });
    const enrolCode = await code(secret);
    await page.getByLabel('2. Введите код из приложения').fill(enrolCode);
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.waitForSelector('#recovery-codes');
    const recovery = await page.locator('#recovery-codes code').allInnerTexts();
    assert.equal(recovery.length, 10);
    await page.goto(`${base}/admin`);
    assert.match(page.url(), /\/admin$/);
    await logout(page);

    // Two steps: password, then code. The enrolment code is spent (replay), a wrong one refused.
    await password(page, admin.login, PASSWORD);
    assert.match(page.url(), /\/login\/code$/);
    await page.goto(`${base}/admin`);
    assert.match(page.url(), /\/login\/code$/, 'the password alone reaches nothing');
    await enterCode(page, enrolCode);
    assert.match(await page.locator('.flash').innerText(), /код неверен или уже использован/i);
    await enterCode(page, '000000');
    assert.match(await page.locator('.flash').innerText(), /код неверен или уже использован/i);
    node.clock.advance(30_000);
    const loginCode = await code(secret);
    await enterCode(page, loginCode);
    assert.doesNotMatch(page.url(), /\/login/);
    await page.goto(`${base}/admin`);
    assert.match(await page.locator('h1').innerText(), /Администрирование/);
    await logout(page);

    // The same code within its window, again: refused.
    await password(page, admin.login, PASSWORD);
    await enterCode(page, loginCode);
    assert.match(await page.locator('.flash').innerText(), /код неверен или уже использован/i);
    // A recovery code works once.
    await enterCode(page, recovery[0]!);
    assert.doesNotMatch(page.url(), /\/login/);
    await logout(page);
    await password(page, admin.login, PASSWORD);
    await enterCode(page, recovery[0]!);
    assert.match(page.url(), /\/login\/code$/);
    assert.match(await page.locator('.flash').innerText(), /код неверен или уже использован/i);
    await page.screenshot({ path: `${SHOTS}totp-login-refused.png`, fullPage: true });
  });

  test('V2.5.x: after an admin reset the officer reaches only the change-password page until he changes it', async () => {
    const reset = await updateOfficer(
      node.ctx,
      { kind: 'system', name: 'cli' },
      { id: officer.officerId, resetPassword: true },
    );
    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await password(page, officer.login, reset.password!);
    assert.match(page.url(), /\/password$/);
    assert.match(await page.getByRole('alert').innerText(), /Пароль задан администратором/);
    for (const p of ['/', '/proceedings', '/security', '/requests/new']) {
      await page.goto(`${base}${p}`);
      assert.match(page.url(), /\/password$/, `${p} is closed until the password is changed`);
    }
    await page.getByLabel('Текущий пароль').fill(reset.password!);
    await page.getByLabel('Новый пароль', { exact: true }).fill('зелёный трамвай едет в парк 2026');
    await page.getByRole('button', { name: 'Сменить пароль' }).click();
    await page.waitForSelector('.flash');
    assert.match(await page.locator('.flash').innerText(), /Пароль изменён/);
    await page.goto(`${base}/proceedings`);
    assert.match(page.url(), /\/proceedings$/);
  });
});
