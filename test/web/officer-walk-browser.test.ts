/// <reference lib="dom" />
// Issue 14, "Done when": the officer's whole day in real headless Chromium (ru-RU, each node's own time zone), on a
// real three-node federation. RU registers a proceeding with an individual-entrepreneur debtor and a company creditor;
// drafts a request (Article 4 results, accounts, documents), reviews it, saves a draft, signs it after confirming;
// KZ's officer is told by the notice badge, answers with Article 4 amounts and two accounts; RU is told of the answer
// and its cross-border card shows the amounts; the archive is filtered and exported; a request to a Party whose node
// is down is explained in Russian with the action left to the officer. Every page of the walk is read by the
// plain-Russian checker (no raw code, ISO time, rule id, path or English word) and the new pages by an
// accessibility check (every control labelled, focus order by Tab reaches the main action, no overflow at 390 px).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PARTIES, partyDay } from '../../src/domain/parties.js';
import { requestableBodies } from '../../src/domain/treaty.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { browserSkip, checkAccessible, launchBrowser, readPlainRussian } from '../support/browser.js';

describe('issue 14: an officer’s day, end to end in Chromium', { skip: browserSkip }, () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let browser: Browser;
  const pagesRead: string[] = [];

  before(async () => {
    fed = await startTestFederation();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fed?.close();
  });

  async function signIn(party: 'RU' | 'KZ', user: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
      timezoneId: PARTIES[party].timeZone,
    });
    const page = await context.newPage();
    await page.goto(`${fed.nodes[party].apiUrl}/login`);
    await page.getByLabel('Имя пользователя').fill(user);
    await page.getByLabel('Пароль').fill(fed.logins.find((x) => x.login === user)!.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    return page;
  }

  /** The page as the officer reads it (plain Russian, screenshot walk-<name>.png), counted. */
  async function read(page: Page, name: string): Promise<string> {
    const text = await readPlainRussian(page, `walk-${name}`);
    pagesRead.push(name);
    return text;
  }
  const accessible = (page: Page, name: string) => checkAccessible(page, `walk-${name}`, { keyboard: true });

  test('proceeding → reviewed draft → signed → KZ notified and answers → RU notified, cross-border card, archive, export, failed delivery', async () => {
    const ru = await signIn('RU', 'ru.officer');
    const base = fed.nodes.RU.apiUrl;
    await read(ru, 'dashboard-ru');

    // A proceeding against an individual entrepreneur (ОГРНИП) for a company creditor (ОГРН).
    await ru.goto(`${base}/proceedings/new`);
    const fill = (id: string, v: string) => ru.fill(`#${id}`, v);
    await fill('number', '777/26/77001-ИП');
    await fill('openedOn', '2026-06-01');
    await fill('docNumber', 'ФС № 044556700');
    await fill('docDate', '2026-05-20');
    await fill('issuerName', 'Арбитражный суд г. Москвы');
    await fill('operativePart', 'Взыскать с ИП Смирнова О. И. в пользу ООО «Ромашка» 1 500 000 рублей.');
    await fill('docAmount', '1 500 000');
    await ru.locator('[data-person="debtor"]').getByLabel('индивидуальный предприниматель').check();
    await fill('debtorSurname', 'Смирнов');
    await fill('debtorName', 'Олег');
    await fill('debtorPatronymic', 'Игоревич');
    await fill('debtorAddress', 'г. Москва, ул. Садовая, д. 3');
    await fill('debtorBirthDate', '1979-02-11');
    await fill('debtorBirthPlace', 'г. Тула');
    await ru.selectOption('#debtorIpIdKind', 'RU|OGRNIP');
    await fill('debtorIpIdValue', '304770000000127');
    await ru.locator('[data-person="creditor"]').getByLabel('юридическое лицо').check();
    await fill('creditorOrgName', 'ООО «Ромашка»');
    await fill('creditorOrgAddress', 'г. Москва, ул. Тверская, д. 1');
    await ru.selectOption('#creditorOrgIdKind1', 'RU|OGRN');
    await fill('creditorOrgIdValue1', '1027700132195');
    await read(ru, 'proceeding-new');
    await accessible(ru, 'proceeding-new');
    await ru.getByRole('button', { name: 'Зарегистрировать производство' }).click();
    await ru.waitForURL(/\/proceedings\/[0-9a-f-]{36}$/);
    const proceedingUrl = ru.url();
    assert.match(await read(ru, 'proceeding'), /ИП/);

    // The wizard: Article 4 results, accounts (6 а), documents (5 а); reviewed, saved as a draft, then signed.
    await ru.getByRole('link', { name: 'Составить запрос' }).click();
    await ru.waitForURL(/\/requests\/new/);
    await ru.selectOption('#requestedBody', {
      label: 'Казахстан — Министерство юстиции Республики Казахстан (орган принудительного исполнения)',
    });
    await ru.check('#item_proceedings');
    await ru.check('#proceedings_results-collected');
    await ru.check('#proceedings_results-arrested');
    await ru.check('#item_documents');
    await ru.fill('#documents_description', 'Заверенные копии договоров поставки между должником и ТОО «Алатау»');
    await ru.check('#item_property');
    await ru.check('#property_subItems-a');
    await ru.fill('#grounds', 'Должник поставлял товар ТОО «Алатау» (г. Алматы) и имеет там счета.');
    await ru.locator('#grounds').dispatchEvent('change');
    await ru.waitForSelector('text=Ошибок нет');
    await read(ru, 'wizard');
    await accessible(ru, 'wizard');
    await ru.getByRole('button', { name: 'Проверить запрос' }).click();
    await ru.waitForSelector('h1:has-text("Проверьте запрос перед подписанием")');
    const review = await read(ru, 'review');
    assert.match(review, /Заверенные копии договоров поставки/);
    await accessible(ru, 'review');
    await ru.getByRole('button', { name: 'Сохранить проект' }).click();
    await ru.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const draftUrl = ru.url();
    await read(ru, 'draft');
    await ru.getByRole('link', { name: 'Проверить и подписать' }).click();
    await ru.waitForURL(/\/review$/);
    await ru.check('#confirmed');
    await ru.getByRole('button', { name: 'Подписать и отправить' }).click();
    await ru.waitForURL(draftUrl);
    await settle(fed);
    await ru.reload();
    assert.match(await read(ru, 'request-sent'), /доставлено \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);

    // KZ: the badge says a request came; the notice leads to it; the answer with Article 4 amounts and two accounts.
    const kz = await signIn('KZ', 'kz.officer');
    assert.equal(await kz.locator('#notices-link .unread-count').innerText(), '1');
    await kz.getByRole('link', { name: /Уведомления/ }).click();
    assert.match(await read(kz, 'notices-kz'), /Поступил запрос/);
    await accessible(kz, 'notices-kz');
    await kz.locator('.notices a').first().click();
    await kz.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestUrl = kz.url();
    await read(kz, 'request-kz');
    await accessible(kz, 'request-kz');
    await kz.locator('#actions').getByRole('link', { name: 'Ответить', exact: true }).click();
    await kz.waitForURL(/\/answer$/);
    await kz.selectOption('#outcome_1', 'found');
    await kz.getByLabel('Номер исполнительного производства').first().fill('77-2026-KZ');
    await kz.fill('#proceedings_1_0_collected', '150 000,50');
    await kz.fill('#proceedings_1_0_arrested', '2 000 000');
    await kz.selectOption('#outcome_2', 'found');
    await kz.fill('#text_2', 'Копии договоров поставки направляются почтой.');
    await kz.selectOption('#outcome_3', 'found');
    await kz.fill('#accounts_3_0_bank', 'АО «Халык Банк»');
    await kz.fill('#accounts_3_0_number', 'KZ86125KZT5004100100');
    await kz.fill('#accounts_3_1_bank', 'АО «Банк ЦентрКредит»');
    await kz.fill('#accounts_3_1_number', 'KZ11601A871000123456');
    await kz.check('#final');
    await read(kz, 'answer-form');
    await accessible(kz, 'answer-form');
    await kz.getByRole('button', { name: 'Подписать и направить ответ' }).last().click();
    await kz.waitForURL(requestUrl);
    await read(kz, 'request-answered-kz');
    await settle(fed);

    // RU: told of the answer; the cross-border card shows KZ's amounts (R4.c).
    await ru.goto(`${base}/notices`);
    assert.match(await read(ru, 'notices-ru'), /ответ/i);
    await ru.goto(proceedingUrl);
    const card = await read(ru, 'cross-border');
    assert.match(card, /77-2026-KZ/);
    assert.match(card, /150\s000,5/);
    assert.match(card, /2\s000\s000/);

    // The archive filtered (Kazakhstan, answered) and exported.
    await ru.goto(`${base}/requests?direction=outgoing`);
    await ru.selectOption('#f-party', 'KZ');
    await ru.selectOption('#f-state', 'answered');
    await ru.getByRole('button', { name: 'Показать' }).click();
    await ru.waitForURL(/party=KZ/);
    const archive = await read(ru, 'archive');
    assert.match(archive, /Найдено: 1/);
    assert.match(archive, /Смирнов Олег Игоревич/);
    await accessible(ru, 'archive');
    const [download] = await Promise.all([ru.waitForEvent('download'), ru.getByRole('link', { name: 'CSV' }).click()]);
    const csv = await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8');
    assert.match(csv, /Смирнов Олег Игоревич/);
    assert.match(csv, /Казахстан/);

    // A request to a Party whose node is down: «задерживается», why in plain Russian, what the officer can do.
    await fed.nodes.BY.stop();
    const ctx = fed.nodes.RU.wired.ctx;
    const me = await officer(fed.nodes.RU, 'ru.officer');
    const proceedingId = proceedingUrl.split('/').at(-1)!;
    const d = await draftRequest(ctx, me, {
      proceedingId,
      requestedBody: (() => {
        const b = requestableBodies(ctx.treaty(), 'RU', partyDay(ctx.clock.now(), 'RU')).find((x) => x.party === 'BY')!;
        return { id: b.id, party: b.party, name: b.name };
      })(),
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник мог выехать в Республику Беларусь.',
    });
    await signRequest(ctx, me, { requestId: d.id });
    await fed.nodes.RU.worker!.drain();
    await ru.goto(`${base}/requests/${d.id}`);
    const delayed = await read(ru, 'delivery-delayed');
    assert.match(delayed, /задерживается/);
    assert.match(delayed, /Узел другой Стороны не отвечает/);
    assert.ok(await ru.getByRole('button', { name: 'Повторить отправку' }).isVisible());
    await accessible(ru, 'delivery-delayed');
    assert.ok(pagesRead.length >= 15, `pages read: ${pagesRead.join(', ')}`);
  });
});
