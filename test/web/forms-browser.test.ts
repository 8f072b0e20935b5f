/// <reference lib="dom" />
// Issue 14, items 4 and 5 in real Chromium (ru-RU): a Russian officer registers
// a proceeding against an individual entrepreneur (ОГРНИП, checked live under
// the field) for a company creditor; the kind switch hides what does not fit;
// then a documents request (R5.a) is reviewed on «Проверьте запрос перед
// подписанием», saved as a draft, and signed only after «Я проверил(а) запрос».
// Screenshots go to test-results/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RunningDemo } from '../../src/demo/federation.js';
import { startTestFederation } from '../support/federation.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

describe('issue 14: proceeding form and request wizard in Chromium', { skip: browserSkip }, () => {
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

  async function signIn(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport, locale: 'ru-RU' })).newPage();
    await page.goto(`${fed.nodes.RU.apiUrl}/login`);
    await page.getByLabel('Имя пользователя').fill('ru.officer');
    await page.getByLabel('Пароль').fill(fed.logins.find((x) => x.login === 'ru.officer')!.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    return page;
  }

  /** Every visible control has a label, and nothing overflows a 390-px phone. */
  async function accessible(page: Page, where: string): Promise<void> {
    const unlabeled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label'))
        .map((el) => el.id),
    );
    assert.deepEqual(unlabeled, [], `${where}: controls without a label`);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 1, `${where}: horizontal overflow ${overflow}px at 390 px`);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  test('an ИП debtor and a company creditor; a documents request reviewed, saved as a draft, signed after confirmation', async () => {
    const page = await signIn();
    const base = fed.nodes.RU.apiUrl;
    await page.goto(`${base}/proceedings/new`);
    const fill = (id: string, v: string) => page.fill(`#${id}`, v);
    await fill('number', '901/26/77001-ИП');
    await fill('openedOn', '2026-06-01');
    await fill('docNumber', 'ФС № 044556699');
    await fill('docDate', '2026-05-20');
    await fill('issuerName', 'Арбитражный суд г. Москвы');
    await fill('operativePart', 'Взыскать с ИП Смирнова О. И. в пользу ООО «Ромашка» 1 500 000 рублей.');
    await fill('docAmount', '1 500 000');

    // The debtor is an individual entrepreneur: the company fields go away, the ОГРНИП field appears.
    const debtor = page.locator('[data-person="debtor"]');
    await page.getByLabel('индивидуальный предприниматель').first().check();
    assert.equal(await debtor.locator('fieldset[data-for="legal_entity"]').isHidden(), true);
    assert.equal(await debtor.locator('fieldset[data-for="entrepreneur"]').isVisible(), true);
    await fill('debtorSurname', 'Смирнов');
    await fill('debtorName', 'Олег');
    await fill('debtorPatronymic', 'Игоревич');
    await fill('debtorAddress', 'г. Москва, ул. Садовая, д. 3');
    await fill('debtorBirthDate', '1979-02-11');
    await fill('debtorBirthPlace', 'г. Тула');
    await page.selectOption('#debtorIpIdKind', 'RU|OGRNIP');
    // A mistyped ОГРНИП is named under the field while typing (R11.1.c).
    await page.locator('#debtorIpIdValue').pressSequentially('304770000000128');
    await page.waitForFunction(() =>
      /контрольное число/.test(document.getElementById('err-debtorIpIdValue')!.textContent ?? ''),
    );
    await page.fill('#debtorIpIdValue', '');
    await page.locator('#debtorIpIdValue').pressSequentially('304770000000127');
    await page.waitForFunction(() =>
      /номер верный/.test(document.getElementById('err-debtorIpIdValue')!.textContent ?? ''),
    );

    // The creditor is a company: the person fields go away.
    const creditor = page.locator('[data-person="creditor"]');
    await creditor.getByLabel('юридическое лицо').check();
    assert.equal(await creditor.locator('fieldset[data-for="individual entrepreneur"]').isHidden(), true);
    await fill('creditorOrgName', 'ООО «Ромашка»');
    await fill('creditorOrgAddress', 'г. Москва, ул. Тверская, д. 1');
    await page.selectOption('#creditorOrgIdKind1', 'RU|OGRN');
    await fill('creditorOrgIdValue1', '1027700132195');
    await page.screenshot({ path: `${SHOTS}proceeding-new-ip-company.png`, fullPage: true });
    await accessible(page, 'new proceeding');
    await page.getByRole('button', { name: 'Зарегистрировать производство' }).click();
    await page.waitForURL(/\/proceedings\/[0-9a-f-]{36}$/);
    const main = await page.locator('main').innerText();
    assert.match(main, /ИП/);
    assert.match(main, /ОГРНИП/);
    assert.match(main, /ООО «Ромашка»/);
    assert.match(main, /1\s500\s000/);
    await page.screenshot({ path: `${SHOTS}proceeding-ip-company.png`, fullPage: true });

    // The wizard: no destination chosen, all seven kinds offered; a documents request (R5.a).
    await page.getByRole('link', { name: 'Составить запрос' }).click();
    await page.waitForURL(/\/requests\/new/);
    assert.equal(await page.locator('#requestedBody').inputValue(), '');
    assert.equal(await page.locator('.item-kind').count(), 7);
    await page.selectOption('#requestedBody', {
      label: 'Казахстан — Министерство юстиции Республики Казахстан (орган принудительного исполнения)',
    });
    await page.check('#item_documents');
    await page.locator('#documents_description').dispatchEvent('change');
    // The live check puts the missing description next to its field.
    await page.waitForFunction(() =>
      /описание/.test(document.getElementById('err-documents_description')!.textContent ?? ''),
    );
    await page.fill('#documents_description', 'Заверенные копии договоров поставки между должником и ТОО «Алатау»');
    await page.check('#documents_from-persons');
    await page.fill(
      '#grounds',
      'Должник поставлял товар ТОО «Алатау» (г. Алматы); сведения нужны для обращения взыскания.',
    );
    await page.locator('#grounds').dispatchEvent('change');
    await page.waitForSelector('text=Ошибок нет');
    await page.screenshot({ path: `${SHOTS}wizard-documents.png`, fullPage: true });
    await page.getByRole('button', { name: 'Проверить запрос' }).click();

    // The review screen says everything in Russian; the draft is saved from it.
    await page.waitForSelector('h1:has-text("Проверьте запрос перед подписанием")');
    const review = await page.locator('main').innerText();
    assert.match(review, /Заверенные копии договоров поставки/);
    assert.match(review, /у иных физических и юридических лиц/);
    assert.match(review, /ИП/);
    assert.match(review, /ООО «Ромашка»/);
    assert.match(review, /1\s500\s000 — российский рубль/);
    assert.doesNotMatch(review, /\b(persons|documents|legal_entity|RUB|OGRNIP)\b/);
    await page.screenshot({ path: `${SHOTS}request-review.png`, fullPage: true });
    await accessible(page, 'review');
    await page.getByRole('button', { name: 'Сохранить проект' }).click();
    await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const draftUrl = page.url();
    assert.match(await page.locator('h1').innerText(), /проект/);

    // Signing the draft needs the confirmation.
    await page.goto(`${draftUrl}/review`);
    await page.getByRole('button', { name: 'Подписать и отправить' }).click();
    await page.waitForSelector('#err-confirmed:has-text("Я проверил(а) запрос")');
    await page.screenshot({ path: `${SHOTS}request-review-unconfirmed.png`, fullPage: true });
    await page.check('#confirmed');
    await page.getByRole('button', { name: 'Подписать и отправить' }).click();
    await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    assert.doesNotMatch(await page.locator('h1').innerText(), /проект/);
  });
});
