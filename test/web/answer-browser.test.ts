/// <reference lib="dom" />
// Issue 14, items 4 and 6 in real headless Chromium (ru-RU), between two real nodes: KZ's officer sees the
// actions that fit a received request (the rest under «Другие действия»), answers with Article 4 amounts and
// two accounts — a row filled in part is an error next to it, the input kept, «Добавить ещё» adds rows — and
// RU's cross-border card shows the amounts. Screenshots in test-results/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PARTIES } from '../../src/domain/parties.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { aRequest } from '../support/requests.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

describe('issue 14: the answer form in the officer’s browser (ru-RU)', { skip: browserSkip }, () => {
  let fed: RunningDemo & { dir: string; close(): Promise<void> };
  let browser: Browser;
  let proceedingId = '';
  let incomingId = '';

  before(async () => {
    fed = await startTestFederation();
    browser = await launchBrowser();
    const ru = fed.nodes.RU.wired.ctx;
    const ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    const example = aRequest();
    proceedingId = (
      await createProceeding(ru, ruOfficer, {
        number: '5151/26/77001-ИП',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      })
    ).id;
    const d = await draftRequest(ru, ruOfficer, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
      items: [
        { kind: 'proceedings', results: ['collected', 'arrested'] },
        { kind: 'property', subItems: ['a'] },
      ],
      grounds: 'Должник с 2024 года проживает в г. Алматы и имеет счета в банках Республики Казахстан.',
    });
    const s = await signRequest(ru, ruOfficer, { requestId: d.id });
    await settle(fed);
    incomingId = (
      await fed.nodes.KZ.wired.ctx.db
        .selectFrom('requests')
        .select('id')
        .where('message_id', '=', s.messageId)
        .where('direction', '=', 'incoming')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await browser?.close();
    await fed?.close();
  });

  async function signIn(party: 'RU' | 'KZ', user: string, width = 1280): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width, height: 1000 },
      locale: 'ru-RU',
      timezoneId: PARTIES[party].timeZone,
    });
    const page = await context.newPage();
    const login = fed.logins.find((l) => l.login === user)!;
    await page.goto(`${fed.nodes[party].apiUrl}/login`);
    await page.getByLabel('Имя пользователя').fill(login.login);
    await page.getByLabel('Пароль').fill(login.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    return page;
  }

  test('KZ answers with Article 4 amounts and two accounts; errors in place; RU’s cross-border card shows the amounts', async () => {
    const kz = await signIn('KZ', 'kz.officer');
    const url = `${fed.nodes.KZ.apiUrl}/requests/${incomingId}`;
    await kz.goto(url);
    // RA.6: the actions that fit first; the rest folded.
    const actions = kz.locator('#actions');
    assert.equal(await actions.getByRole('button', { name: 'Принять к исполнению' }).isVisible(), true);
    assert.equal(await actions.getByRole('link', { name: 'Ответить', exact: true }).isVisible(), true);
    assert.equal(await kz.locator('details.other-actions').getAttribute('open'), null, 'closed by default');
    assert.equal(await kz.locator('#step-refuse').isVisible(), false);
    await kz.screenshot({ path: `${SHOTS}request-actions-kz.png`, fullPage: true });

    await actions.getByRole('link', { name: 'Ответить', exact: true }).click();
    await kz.waitForURL(/\/answer$/);
    assert.match(await kz.locator('#item-1 .asked').innerText(), /взыскано, арестовано/);
    await kz.selectOption('#outcome_1', 'found');
    await kz.getByLabel('Номер исполнительного производства').first().fill('12-2026-KZ');
    await kz.fill('#proceedings_1_0_collected', '150 000,50');
    await kz.fill('#proceedings_1_0_arrested', '2 000 000');
    assert.equal(
      await kz.locator('#proceedings_1_0_collected_currency').inputValue(),
      'KZT',
      'the Party’s currency first',
    );
    await kz.selectOption('#outcome_2', 'found');
    await kz.fill('#accounts_2_0_bank', 'АО «Kaspi Bank»');
    await kz.fill('#accounts_2_1_bank', 'АО «Халык Банк»');
    await kz.fill('#accounts_2_1_number', 'KZ11601A871000123456');
    // «Добавить ещё»: more rows, what was typed kept.
    await kz.locator('#item-2').getByRole('button', { name: 'Добавить ещё' }).first().click();
    await kz.waitForSelector('#accounts_2_3_bank');
    assert.equal(await kz.locator('#accounts_2_1_number').inputValue(), 'KZ11601A871000123456');
    assert.equal(await kz.locator('#proceedings_1_0_collected').inputValue(), '150 000,50');
    await kz.getByRole('button', { name: 'Подписать и направить ответ' }).last().click();
    // The first account has no number: an error next to its row, the rest kept.
    await kz.waitForSelector('#answer-errors');
    assert.match(await kz.locator('#err-accounts_2_0').innerText(), /Счёт 1: заполните «Номер счёта»/);
    assert.equal(await kz.locator('#accounts_2_0_bank').inputValue(), 'АО «Kaspi Bank»');
    await kz.screenshot({ path: `${SHOTS}answer-form-errors.png`, fullPage: true });
    await kz.fill('#accounts_2_0_number', 'KZ86125KZT5004100100');
    await kz.check('#final');
    await kz.screenshot({ path: `${SHOTS}answer-form-filled.png`, fullPage: true });
    await kz.getByRole('button', { name: 'Подписать и направить ответ' }).last().click();
    await kz.waitForURL(url);
    const answered = await kz.locator('main').innerText();
    assert.match(answered, /взыскано 150\s000,5 казахстанский тенге/);
    assert.match(answered, /KZ11601A871000123456/);
    assert.doesNotMatch(answered, /—\s*счёт|счёт —/);
    await settle(fed);

    const ru = await signIn('RU', 'ru.officer');
    await ru.goto(`${fed.nodes.RU.apiUrl}/proceedings/${proceedingId}`);
    const card = await ru.locator('main').innerText();
    assert.match(card, /12-2026-KZ/);
    assert.match(card, /150\s000,5/);
    assert.match(card, /2\s000\s000/);
    await ru.screenshot({ path: `${SHOTS}cross-border-ru.png`, fullPage: true });
    await kz.context().close();
    await ru.context().close();
  });

  test('the answer form has no horizontal overflow at 390 px', async () => {
    const kz = await signIn('KZ', 'kz.officer', 390);
    await kz.goto(`${fed.nodes.KZ.apiUrl}/requests/${incomingId}/answer`);
    const overflow = await kz.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await kz.screenshot({ path: `${SHOTS}answer-form-390.png`, fullPage: true });
    assert.ok(overflow <= 0, `overflow ${overflow}px`);
    await kz.context().close();
  });
});
