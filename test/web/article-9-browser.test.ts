/// <reference lib="dom" />
// Article 9 screens in real headless Chromium (Debian's chromium driven by
// playwright-core): the KZ officer sees RU's consent request on the incoming
// request and grants it by clicking (with a confirmation step); RU's officer
// sees the consent as received, with its date; RU's central officer asks KZ
// about its protection measures and sees the answer. Screenshots go to
// test-results/ for review: no English, raw codes, ids or ISO/UTC times.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { answerRequest } from '../../src/app/answer-request.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { listRequests } from '../../src/app/list-requests.js';
import { requestDisclosureConsent } from '../../src/app/request-disclosure-consent.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PARTIES } from '../../src/domain/parties.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

const ISO = /\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|UTC|GMT/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/i;
const DATE_RU = /\d{2}\.\d{2}\.\d{4}/;

describe(
  'Article 9 screens in Chromium: consent to disclose (R9.2), protection measures (R9.5)',
  { skip: browserSkip },
  () => {
    let fed: RunningDemo & { close(): Promise<void> };
    let browser: Browser;
    let outgoingId: string;
    let incomingId: string;
    const login = (l: string) => fed.logins.find((x) => x.login === l)!;

    before(async () => {
      fed = await startTestFederation();
      browser = await launchBrowser();
      // A request RU → KZ, answered; RU asks consent to pass the answer to a third party.
      const ru = fed.nodes.RU.wired.ctx;
      const kz = fed.nodes.KZ.wired.ctx;
      const ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
      const kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
      const proceedingId = (
        await ru.db
          .selectFrom('proceedings')
          .select('id')
          .where('number', '=', '123456/26/77001-ИП')
          .executeTakeFirstOrThrow()
      ).id;
      const d = await draftRequest(ru, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: [{ kind: 'property', subItems: ['a'] }],
        grounds: 'Должник проживает в г. Алматы и имеет счета в банках Республики Казахстан.',
      });
      outgoingId = d.id;
      await signRequest(ru, ruOfficer, { requestId: outgoingId });
      await settle(fed);
      incomingId = (await listRequests(kz, kzOfficer, { direction: 'incoming' })).items[0]!.id;
      await answerRequest(kz, kzOfficer, {
        requestId: incomingId,
        final: true,
        items: [{ itemNo: 1, outcome: 'found', data: { accounts: [{ bank: 'АО «Народный банк»', number: '1234' }] } }],
      });
      await requestDisclosureConsent(ru, ruOfficer, {
        requestId: outgoingId,
        recipient: 'ТОО «Оценочная компания»',
        purpose: 'Оценка арестованного имущества должника для его реализации.',
      });
      await settle(fed);
    });
    after(async () => {
      await browser?.close();
      await fed?.close();
    });

    async function signIn(party: 'RU' | 'KZ', user: string): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        locale: 'ru-RU',
        timezoneId: PARTIES[party].timeZone,
      });
      const page = await context.newPage();
      await page.goto(`${fed.nodes[party].apiUrl}/`);
      await page.getByLabel('Имя пользователя').fill(user);
      await page.getByLabel('Пароль').fill(login(user).password);
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.waitForURL(/\/$/);
      return page;
    }

    const clean = (text: string, where: string) => {
      assert.doesNotMatch(text, ISO, `${where}: no ISO or UTC times`);
      assert.doesNotMatch(text, UUID, `${where}: no ids`);
    };

    test('R9.2: the KZ officer grants RU’s consent request by clicking; RU sees the consent received, with its date', async () => {
      const kz = await signIn('KZ', 'kz.officer');
      await kz.goto(`${fed.nodes.KZ.apiUrl}/requests/${incomingId}`);
      const card = kz.locator('#consents');
      assert.match(
        await card.locator('h2').innerText(),
        /Запросы согласия на передачу сведений третьим лицам \(статья 9\)/,
      );
      const row = await card.locator('tbody tr').first().innerText();
      assert.match(row, /ТОО «Оценочная компания»/);
      assert.match(row, /Оценка арестованного имущества/);
      assert.match(row, /ожидает решения/);
      assert.match(row, DATE_RU);
      clean(await kz.locator('main').innerText(), 'KZ request page');
      assert.doesNotMatch(await card.innerText(), /[A-Za-z]/, 'the consent card is all Russian');
      await kz.screenshot({ path: `${SHOTS}consent-kz-open.png`, fullPage: true });

      await card.getByRole('button', { name: 'Дать согласие' }).click();
      await kz.waitForSelector('text=Дать согласие на передачу сведений третьему лицу?');
      assert.match(await kz.locator('main').innerText(), /не может быть изменено/);
      await kz.screenshot({ path: `${SHOTS}consent-kz-confirm.png`, fullPage: true });
      await kz.getByRole('button', { name: 'Подтвердить согласие' }).click();
      await kz.waitForURL(/\/requests\/[0-9a-f-]{36}(#consents)?$/);
      const decided = await kz.locator('#consents tbody tr').first().innerText();
      assert.match(decided, /согласие дано/);
      assert.match(decided, DATE_RU);
      assert.equal(await kz.locator('#consents').getByRole('button', { name: 'Дать согласие' }).count(), 0);
      clean(await kz.locator('main').innerText(), 'KZ request page after the decision');
      await kz.screenshot({ path: `${SHOTS}consent-kz-granted.png`, fullPage: true });
      await settle(fed);

      const ru = await signIn('RU', 'ru.officer');
      await ru.goto(`${fed.nodes.RU.apiUrl}/requests/${outgoingId}`);
      const text = await ru.locator('main').innerText();
      const line = text.split('\n').find((l) => l.includes('Оценочная компания'))!;
      assert.match(line, /получено/);
      assert.match(line, new RegExp(`ответ от ${DATE_RU.source}`));
      clean(text, 'RU request page');
      await ru.screenshot({ path: `${SHOTS}consent-ru-received.png`, fullPage: true });
      await ru.getByRole('button', { name: 'Выписка для третьего лица' }).click();
      assert.match(await ru.locator('main').innerText(), /с согласия предоставившей Стороны/);
    });

    test('R9.5: RU’s central officer asks KZ from the menu; the answer is shown with its date', async () => {
      const officerPage = await signIn('RU', 'ru.officer');
      assert.equal(await officerPage.getByRole('link', { name: 'Меры защиты' }).count(), 0, 'not for case officers');
      const ru = await signIn('RU', 'ru.central');
      await ru.getByRole('link', { name: 'Меры защиты' }).click();
      await ru.waitForURL(/\/protection$/);
      assert.match(await ru.locator('h1').innerText(), /Меры защиты персональных данных \(статья 9\)/);
      await ru.selectOption('#protection-party', { label: 'Казахстан' });
      await ru.getByRole('button', { name: 'Запросить сведения' }).click();
      await ru.waitForURL(/\/protection\?asked=KZ$/);
      assert.match(await ru.locator('tbody tr').first().innerText(), /Казахстан.*ожидается/s);
      await settle(fed);
      await ru.goto(`${fed.nodes.RU.apiUrl}/protection`);
      const row = await ru.locator('tbody tr').first().innerText();
      assert.match(row, /Казахстан/);
      assert.match(row, /шифрование|Шифрование/);
      assert.match(row, /5 лет/);
      assert.equal(row.match(new RegExp(DATE_RU.source, 'g'))?.length, 2, row);
      const text = await ru.locator('main').innerText();
      clean(text, 'protection page');
      await ru.screenshot({ path: `${SHOTS}protection-ru.png`, fullPage: true });
    });
  },
);
