/// <reference lib="dom" />
// The password page in real headless Chromium (ASVS V2.1.8, V2.1.11,
// V2.1.12): typing a weak password shows the strength meter's Russian verdict
// live (htmx, server-side estimate), the "show password" button reveals what
// was typed and hides it again, pasting (inserted text) works, nothing breaks
// the CSP (script-src 'self'), and a strong password is accepted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { loginWithPassword } from '../../src/app/authenticate.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

const START = 'Kx7q Zv9L r2mW p4Tn';
const NEXT = 'Ёжик в тумане 🦔 ищет лошадку';

describe('ASVS V2.1.8, V2.1.12: the password page in Chromium', { skip: browserSkip }, () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let officer: Officer;

  before(async () => {
    node = nodeOn(await ENGINES[0]!.open(), 'RU');
    officer = await seedOfficer(node.ctx, await seedBody(node.ctx), ['officer']);
    await node.ctx.db
      .updateTable('officers')
      .set({ password_hash: await hashPassword(START) })
      .where('id', '=', officer.officerId)
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

  test('typing a weak password shows the meter’s Russian verdict; the toggle reveals and hides it; a strong one is accepted', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ru-RU' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    // Every script and style of the page loads (the browser's own favicon probe aside).
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(r.url());
    });

    await page.goto(`${base}/login`);
    await page.getByLabel('Имя пользователя').fill(officer.login);
    await page.getByLabel('Пароль').fill(START);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    await page.goto(`${base}/password`);

    const next = page.locator('#next');
    const meter = page.locator('#next-strength');
    // Typed key by key, as a person does: the meter follows after a short pause.
    await next.pressSequentially('qwerty123456', { delay: 20 });
    await meter.locator('.verdict').waitFor();
    const weak = await meter.innerText();
    assert.match(weak, /Надёжность: (очень слабый|слабый)\./, weak);
    assert.match(weak, /Не подойдёт: пароль входит в список распространённых или утёкших паролей/, weak);
    assert.ok(Number(await meter.locator('meter').getAttribute('value')) <= 1);
    await page.screenshot({ path: `${SHOTS}password-weak.png`, fullPage: true });

    // V2.1.12: "Показать пароль" shows the typed password, pressed again hides it.
    const reveal = page.locator('button[data-reveal][aria-controls="next"]');
    assert.equal(await reveal.isVisible(), true, 'the button is shown once the script runs');
    assert.equal(await reveal.innerText(), 'Показать пароль');
    assert.equal(await next.getAttribute('type'), 'password');
    await reveal.click();
    assert.equal(await next.getAttribute('type'), 'text');
    assert.equal(await reveal.getAttribute('aria-pressed'), 'true');
    assert.equal(await next.inputValue(), 'qwerty123456');
    await page.screenshot({ path: `${SHOTS}password-revealed.png`, fullPage: true });
    await reveal.click();
    assert.equal(await next.getAttribute('type'), 'password');
    assert.equal(await reveal.getAttribute('aria-pressed'), 'false');

    // V2.1.11: text inserted at once (as a paste or a password manager does) is taken and judged.
    await next.fill('');
    await next.focus();
    await page.keyboard.insertText(NEXT);
    await page.waitForFunction(() => /Подойдёт\./.test(document.querySelector('#next-strength')?.textContent ?? ''));
    assert.match(await meter.innerText(), /Надёжность: (хороший|надёжный)\.[\s\S]*Подойдёт\./);
    assert.equal(await next.inputValue(), NEXT);

    await page.locator('#current').fill(START);
    await page.getByRole('button', { name: 'Сменить пароль' }).click();
    await page.waitForSelector('.flash.ok');
    assert.match(await page.locator('.flash').innerText(), /Пароль изменён/);
    await page.screenshot({ path: `${SHOTS}password-changed.png`, fullPage: true });
    assert.equal(
      (await loginWithPassword(node.ctx, { login: officer.login, password: NEXT })).officerId,
      officer.officerId,
    );
    assert.deepEqual(
      problems.filter((p) => /Content Security Policy|Refused to/i.test(p)),
      [],
      'no CSP violation: no inline script',
    );
    assert.deepEqual(
      problems.filter((p) => !/^Failed to load resource/.test(p)),
      [],
      'no script errors',
    );
    assert.deepEqual(
      failed.filter((u) => !u.endsWith('/favicon.ico')),
      [],
      'every resource of the page loads',
    );
    await context.close();
  });
});
