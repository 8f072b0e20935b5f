/// <reference lib="dom" />
// Issue 13, item 4 in real headless Chromium: an administrator adds an officer
// and sees the generated password on the answer page, which no address in the
// browser's history carries (ASVS V3.2.x); after 30 idle minutes (moved on the
// node's clock, not slept) the next click lands on the login page with the
// Russian notice that the session ended for inactivity (V3.3.2).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import { openDatabase } from '../../src/adapters/db/database.js';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Officer } from '../../src/app/context.js';
import { enrolSecondFactor, nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

const PASSWORD = 'admin-correct-horse-battery';

describe('issue 13 item 4 in Chromium: one-time password page, idle session end', { skip: browserSkip }, () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let admin: Officer;
  let body: string;

  before(async () => {
    node = nodeOn(await openDatabase({}), 'RU');
    body = await seedBody(node.ctx, { name: 'ГУФССП России по г. Москве' });
    admin = await seedOfficer(node.ctx, body, ['admin']);
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

  test('V3.2.x, V3.3.2: the generated password is on the POST answer page and in no URL; 30 idle minutes later a click leads to the login with a Russian notice', async () => {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (r) => visited.push(r.url()));
    page.on('response', (r) => {
      const location = r.headers()['location'];
      if (location) visited.push(location);
    });

    await page.goto(`${base}/admin`);
    assert.match(page.url(), /\/login$/);
    // Issue 13.3: an administrator logs in with a second factor (enrolled beforehand with a known secret).
    const secret = await enrolSecondFactor(node.ctx, admin.officerId);
    await page.getByLabel('Имя пользователя').fill(admin.login);
    await page.getByLabel('Пароль').fill(PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/login\/code$/);
    await page.getByLabel('Код').fill(await generate({ secret, epoch: Math.floor(node.clock.now().getTime() / 1000) }));
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    // Issue 15.2: an administrator without casework roles lands on the administration page.
    await page.waitForURL(/\/admin$/);

    await page.goto(`${base}/admin`);
    await page.fill('#o-login', 'novikov');
    await page.fill('#o-name', 'Новиков Николай Петрович');
    await page.fill('#o-position', 'судебный пристав-исполнитель');
    await page.check('#role-officer');
    await page.getByRole('button', { name: 'Добавить пользователя' }).click();
    await page.waitForSelector('#one-time-password');
    const password = (await page.locator('#one-time-password code').innerText()).trim();
    assert.ok(password.length >= 12, 'the password is on the page');
    assert.match(await page.locator('#one-time-password').innerText(), /Показывается один раз/);
    await page.screenshot({ path: `${SHOTS}one-time-password.png`, fullPage: true });
    assert.equal(new URL(page.url()).pathname, '/admin/officers', 'the answer to the POST itself');
    const inPage = await page.evaluate(() => [location.href, document.referrer]);
    for (const u of [...visited, ...inPage])
      assert.ok(!u.includes(password) && !u.includes(encodeURIComponent(password)), `no password in ${u}`);

    // Idle for 30 minutes: the next click ends on the login page, told why.
    node.clock.advance(30 * 60_000);
    await page.getByRole('link', { name: 'Администрирование' }).first().click();
    await page.waitForURL(/\/login\?ended=idle$/);
    assert.match(await page.locator('.flash').innerText(), /Сеанс завершён из-за бездействия/);
    await page.screenshot({ path: `${SHOTS}session-idle.png`, fullPage: true });
    const cookies = await context.cookies();
    assert.ok(!cookies.some((c) => c.name === '__Host-eix_session'), 'the session cookie is cleared');
    // The back button does not bring the admin page back.
    await page.goto(`${base}/admin`);
    assert.match(page.url(), /\/login$/);
    await context.close();
  });
});
