/// <reference lib="dom" />
// Issue 17 item 2 in real headless Chromium (ru-RU), between the demo's nodes: RU's example request reaches KZ,
// whose demo registries draft the answer; KZ's officer reads «Черновик ответа подготовлен по данным реестров»
// with the sources per item, opens the answer form filled from the draft, corrects a line, signs it, and RU's
// officer reads the answer. Screenshots in test-results/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PROJECT_ROOT } from '../../src/config/config.js';
import { PARTIES } from '../../src/domain/parties.js';
import type { Request } from '../../src/domain/request.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { SHOTS, browserSkip, checkAccessible, launchBrowser, readPlainRussian } from '../support/browser.js';

/** Identifiers written as their registries write them (Latin letters), read as names by the plain-Russian check. */
const NAMES = ['IVANOV IVAN', 'KZ86722S000001234567', 'KZ22601A871000765432', '123 ABC 02', 'JTNB11HK403012345'];

describe('issue 17.2: KZ’s officer signs the answer drafted from the registries (ru-RU)', { skip: browserSkip }, () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let browser: Browser;
  let outgoingId = '';
  let incomingId = '';

  before(async () => {
    fed = await startTestFederation({ registries: true });
    browser = await launchBrowser();
    const ru = fed.nodes.RU.wired.ctx;
    const ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    const example = JSON.parse(
      await readFile(path.join(PROJECT_ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
    ) as Request;
    const p = await ru.db
      .selectFrom('proceedings')
      .select('id')
      .where('number', '=', '123456/26/77001-ИП')
      .executeTakeFirstOrThrow();
    const d = await draftRequest(ru, ruOfficer, {
      proceedingId: p.id,
      requestedBody: example.requestedBody,
      items: example.items,
      grounds: example.grounds,
    });
    outgoingId = d.id;
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

  async function signIn(party: 'RU' | 'KZ', user: string): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1000 },
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

  test('the draft from the registries is reviewed, corrected and signed; RU receives the answer', async () => {
    // The node's own worker drafts it (started with the node); wait for it to finish its round.
    await fed.nodes.KZ.registryLookups!.drain();
    const kz = await signIn('KZ', 'kz.officer');
    const url = `${fed.nodes.KZ.apiUrl}/requests/${incomingId}`;
    await kz.goto(url);
    const card = kz.locator('#registry-draft');
    assert.match(await card.locator('h2').innerText(), /^Черновик ответа подготовлен по данным реестров$/);
    const sources = await card.innerText();
    assert.match(sources, /Пункт 2: Имущество должника/);
    assert.match(
      sources,
      /«Сведения банков второго уровня о счетах \(демонстрация\)» \(счета и вклады\): найдено записей: 2/,
    );
    assert.match(
      sources,
      /«Государственная база данных «Физические лица» \(демонстрация\)» \(адреса\): найдено записей: 1/,
    );
    await readPlainRussian(kz, 'registry-draft-request', { names: NAMES });

    await card.getByRole('link', { name: 'Проверить и подписать ответ' }).click();
    await kz.waitForURL(/\/answer$/);
    assert.match(await kz.locator('#draft-notice').innerText(), /Черновик ответа подготовлен по данным реестров/);
    // The form is the draft: outcomes chosen, rows filled, the final answer ticked (every item drafted).
    for (const n of [1, 2, 3, 4]) assert.equal(await kz.locator(`#outcome_${n}`).inputValue(), 'found');
    assert.equal(await kz.locator('#accounts_2_0_number').inputValue(), 'KZ86722S000001234567');
    assert.equal(await kz.locator('#accounts_2_0_balance').inputValue(), '845120,35');
    assert.equal(await kz.locator('#accounts_2_0_balance_currency').inputValue(), 'KZT');
    assert.equal(await kz.locator('#employer_3_0_name').inputValue(), 'ТОО «Алатау Логистик»');
    assert.equal(await kz.locator('#final').isChecked(), true);
    assert.match(await kz.locator('#item-2 .draft-sources').innerText(), /Реестр регистрации транспортных средств/);
    await readPlainRussian(kz, 'registry-draft-answer-form', { names: NAMES });
    await checkAccessible(kz, 'registry-draft-answer-form');
    // The officer corrects what he knows better, then signs.
    await kz.fill('#addresses_4_0_kind', 'место жительства');
    await kz.getByRole('button', { name: 'Подписать и направить ответ' }).last().click();
    await kz.waitForURL(url);
    const answered = await kz.locator('main').innerText();
    assert.match(answered, /KZ86722S000001234567/);
    assert.equal(await kz.locator('#registry-draft').count(), 0, 'the draft ends with the final answer');
    await kz.screenshot({ path: `${SHOTS}registry-draft-signed-kz.png`, fullPage: true });
    await settle(fed);

    const ru = await signIn('RU', 'ru.officer');
    await ru.goto(`${fed.nodes.RU.apiUrl}/requests/${outgoingId}`);
    const got = await ru.locator('main').innerText();
    assert.match(got, /KZ86722S000001234567/);
    assert.match(got, /Тойота Камри/);
    assert.match(got, /место жительства/);
    assert.doesNotMatch(got, /место жительства \(регистрация\)/, 'the officer’s correction, not the registry’s text');
    await ru.screenshot({ path: `${SHOTS}registry-draft-received-ru.png`, fullPage: true });
    await kz.context().close();
    await ru.context().close();
  });
});
