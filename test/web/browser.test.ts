/// <reference lib="dom" />
// The officer UI in real headless Chromium (Debian's chromium driven by
// playwright-core): log in, draft a request with errors and fix them, send it
// to a second node, answer it there, see the answer back. Screenshots of the
// main pages go to test-results/ for review.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RunningDemo } from '../../src/demo/federation.js';
import { settle, startTestFederation } from '../support/federation.js';
import { pdfText } from '../support/pdf.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

describe('officer web UI in Chromium', { skip: browserSkip }, () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let browser: Browser;
  const login = (l: string) => fed.logins.find((x) => x.login === l)!;

  before(async () => {
    fed = await startTestFederation();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fed?.close();
  });

  async function signIn(party: 'RU' | 'KZ', user: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport, locale: 'ru-RU' })).newPage();
    await page.goto(`${fed.nodes[party].apiUrl}/`);
    assert.match(page.url(), /\/login$/, 'pages need a session');
    await page.getByLabel('Имя пользователя').fill(user);
    await page.getByLabel('Пароль').fill(login(user).password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    return page;
  }

  test('a wrong password is refused in Russian; the login form is labelled and keyboard-usable', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${fed.nodes.RU.apiUrl}/login`);
    await page.keyboard.type('ru.officer');
    await page.keyboard.press('Tab');
    await page.keyboard.type('неверный пароль');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.flash');
    assert.match(await page.locator('.flash').innerText(), /Неверное имя пользователя или пароль/);
    await page.screenshot({ path: `${SHOTS}login.png`, fullPage: true });
  });

  test('RU drafts a request with errors, fixes them with the live check, signs and sends it to KZ; KZ answers; RU sees the answer', async () => {
    const ru = await signIn('RU', 'ru.officer');
    await ru.screenshot({ path: `${SHOTS}dashboard-ru.png`, fullPage: true });
    await ru.getByRole('link', { name: 'Исполнительные производства' }).click();
    await ru.getByRole('link', { name: '123456/26/77001-ИП' }).click();
    await ru.screenshot({ path: `${SHOTS}proceeding.png`, fullPage: true });
    await ru.getByRole('link', { name: 'Составить запрос' }).click();
    await ru.waitForURL(/\/requests\/new/);
    await ru.selectOption('#requestedBody', {
      label: 'Казахстан — Министерство юстиции Республики Казахстан (орган принудительного исполнения)',
    });
    // Income asked for more than 3 years (R7.c) and no grounds (R11.1.e): the live check lists both.
    await ru.check('#item_employment_income');
    await ru.check('#employment_income_income');
    await ru.fill('#employment_income_from', '2020-01-01');
    await ru.fill('#employment_income_to', '2026-10-31');
    await ru.locator('#employment_income_to').dispatchEvent('change');
    await ru.waitForSelector('.problems');
    const problems = await ru.locator('.problems').innerText();
    assert.match(problems, /превышает 3 года/, problems);
    assert.match(await ru.locator('#err-grounds').innerText(), /.+/);
    await ru.screenshot({ path: `${SHOTS}wizard-errors.png`, fullPage: true });
    await ru.fill('#employment_income_from', '2024-01-01');
    await ru.check('#item_property');
    await ru.check('#property_subItems-a');
    await ru.fill(
      '#grounds',
      'Должник с 2024 года проживает в г. Алматы и получает доход на территории Республики Казахстан.',
    );
    await ru.locator('#grounds').dispatchEvent('change');
    await ru.waitForSelector('text=Ошибок нет');
    assert.match(await ru.locator('.warnings').innerText(), /Казахстан/, 'the R-KZ reservation is shown');
    await ru.screenshot({ path: `${SHOTS}wizard-ok.png`, fullPage: true });
    // Issue 14: the review screen, then signing with the confirmation.
    await ru.getByRole('button', { name: 'Проверить запрос' }).click();
    await ru.waitForSelector('text=Проверьте запрос перед подписанием');
    await ru.check('#confirmed');
    await ru.getByRole('button', { name: 'Подписать и отправить' }).click();
    await ru.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestUrl = ru.url();
    await settle(fed);
    await ru.reload();
    assert.match(await ru.locator('.counters').innerText(), /Получен/);

    const kz = await signIn('KZ', 'kz.officer');
    await kz.screenshot({ path: `${SHOTS}dashboard-kz.png`, fullPage: true });
    await kz.locator('#incoming + .table-wrap table a').first().click();
    await kz.waitForURL(/\/requests\//);
    assert.match(await kz.locator('h1').innerText(), /Входящий запрос/);
    await kz.getByRole('button', { name: 'Принять к исполнению' }).first().click();
    await kz.getByRole('link', { name: 'Ответить', exact: true }).click();
    await kz.selectOption('#outcome_1', 'found');
    await kz.fill('#accounts_1_0_bank', 'АО «Kaspi Bank»');
    await kz.fill('#accounts_1_0_number', 'KZ12722C000012345678');
    await kz.selectOption('#outcome_2', 'found');
    // Only income was asked (7.b): the form offers no employer; the source names it.
    assert.equal(await kz.locator('#employer_2_0_name').count(), 0);
    await kz.fill('#text_2', 'Заработная плата за 2025 год — 6 000 000 тенге.');
    await kz.fill('#income_2_0_from', '2025-01-01');
    await kz.fill('#income_2_0_to', '2025-12-31');
    await kz.fill('#income_2_0_amount', '6 000 000');
    await kz.selectOption('#income_2_0_amount_currency', 'KZT');
    await kz.fill('#income_2_0_source', 'заработная плата, ТОО «Алатау»');
    await kz.setInputFiles('#file_1', {
      name: 'выписка.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Выписка по счёту KZ12722C000012345678'),
    });
    await kz.check('#final');
    await kz.screenshot({ path: `${SHOTS}answer-form.png`, fullPage: true });
    await kz.getByRole('button', { name: 'Подписать и направить ответ' }).click();
    await kz.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    assert.match(await kz.locator('.counters').innerText(), /Исполнен|Ответ/);
    await settle(fed);

    await ru.goto(requestUrl);
    const body = await ru.locator('main').innerText();
    assert.match(body, /Kaspi Bank/);
    assert.match(body, /ТОО «Алатау»/);
    assert.match(body, /6\s000\s000 казахстанский тенге/);
    const attachment = ru.getByRole('link', { name: 'выписка.txt' });
    const download = await ru.request.get(
      new URL(String(await attachment.getAttribute('href')), requestUrl).toString(),
    );
    assert.match(await download.text(), /KZ12722C000012345678/);
    // Issue 14, item 2: the history as past events with who did them, in local time, no codes.
    const history = await ru.locator('ol.timeline').innerText();
    assert.match(history, /Запрос подписан \(Петрова Анна Сергеевна\)/);
    assert.match(history, /Получение подтверждено \(Казахстаном\)/);
    assert.match(history, /Направлен окончательный ответ \(Казахстаном\)/);
    assert.doesNotMatch(history, /\d{4}-\d{2}-\d{2}T|сторона\)|\bR\d+\.[a-z]\b|\b(true|false)\b/);
    await ru.screenshot({ path: `${SHOTS}request-answered.png`, fullPage: true });
    // R9.3: the creditor's extract, logged as a read of received data.
    await ru.getByRole('button', { name: 'Выписка для взыскателя' }).click();
    assert.match(await ru.locator('main').innerText(), /раскрываются взыскателю/);
    await ru.goto(requestUrl);

    // R10.a: the printable request carries all its content and a QR tying the paper to the signed document.
    const pdf = await ru.request.get(`${requestUrl}/pdf`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const { text } = await pdfText(await pdf.body());
    assert.match(text, /ЗАПРОС/);
    assert.match(text, /Иванов/);
    // Issue 14, item 8: no QR text on paper, but a short code a person types on «Проверка оригинала».
    assert.doesNotMatch(text, /EIX1\|/);
    const code = /Код проверки:\s*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text)?.[1];
    assert.ok(code, 'the short verification code is printed next to the QR code');
    await ru.goto(`${fed.nodes.RU.apiUrl}/paper`);
    await ru.fill('#payload', code.toLowerCase().replaceAll('-', ' '));
    await ru.getByRole('button', { name: 'Проверить' }).click();
    assert.match(await ru.locator('main').innerText(), /Подлинный/);
    await ru.screenshot({ path: `${SHOTS}paper-verified.png`, fullPage: true });
    const answerPdf = await ru.request.get(`${requestUrl}/answer.pdf`);
    assert.match((await pdfText(await answerPdf.body())).text, /Алатау/);
  });

  test('an officer registers a proceeding; a bad national id is named in Russian and nothing is stored', async () => {
    const page = await signIn('RU', 'ru.officer');
    await page.goto(`${fed.nodes.RU.apiUrl}/proceedings/new`);
    const fill = async (id: string, v: string) => page.fill(`#${id}`, v);
    await fill('number', '777/26/77001-ИП');
    await fill('openedOn', '2026-06-01');
    await fill('docNumber', 'ФС № 044556677');
    await fill('docDate', '2026-05-20');
    await fill('issuerName', 'Пресненский районный суд г. Москвы');
    await fill('operativePart', 'Взыскать с Смирнова Олега Игоревича 250 000 рублей.');
    await fill('debtorSurname', 'Смирнов');
    await fill('debtorName', 'Олег');
    await fill('debtorAddress', 'г. Москва, ул. Садовая, д. 3');
    await fill('debtorBirthDate', '1979-02-11');
    await fill('debtorBirthPlace', 'г. Тула');
    await page.selectOption('#debtorIdKind1', 'RU|INN');
    await fill('debtorIdValue1', '7707083894');
    await fill('creditorSurname', 'Белова');
    await fill('creditorName', 'Ирина');
    await fill('creditorAddress', 'г. Москва, ул. Покровка, д. 8');
    await page.getByRole('button', { name: 'Зарегистрировать производство' }).click();
    assert.match(await page.locator('#err-debtorIdValue1').innerText(), /ИНН/);
    await fill('debtorIdValue1', '7707083893');
    await page.getByRole('button', { name: 'Зарегистрировать производство' }).click();
    await page.waitForURL(/\/proceedings\/[0-9a-f-]{36}$/);
    assert.match(await page.locator('h1').innerText(), /777\/26\/77001-ИП/);
  });

  test('pages are readable on a 390-px phone and reachable by keyboard', async () => {
    const phone = await signIn('RU', 'ru.officer', { width: 390, height: 844 });
    const overflow = await phone.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 1, `horizontal overflow ${overflow}px`);
    await phone.screenshot({ path: `${SHOTS}dashboard-phone.png`, fullPage: true });
    await phone.keyboard.press('Tab');
    assert.equal(await phone.evaluate(() => document.activeElement?.textContent?.trim()), 'К содержанию');
    // Every form control has a label.
    const unlabeled = await phone.evaluate(
      () =>
        Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(
          (el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'),
        ).length,
    );
    assert.equal(unlabeled, 0);
  });

  test('a session cookie is HttpOnly, Secure and SameSite; a form without its CSRF token is refused', async () => {
    const page = await signIn('RU', 'ru.officer');
    const cookies = await page.context().cookies();
    const c = cookies.find((x) => x.name === '__Host-eix_session')!;
    assert.deepEqual([c.httpOnly, c.secure, c.sameSite], [true, true, 'Strict']);
    const res = await page.request.post(`${fed.nodes.RU.apiUrl}/logout`, { form: { _csrf: 'forged' } });
    assert.equal(res.status(), 403);
  });
});
