/// <reference lib="dom" />
// R16 and R13.d in real headless Chromium, between two real nodes: a
// confidential request that cannot be executed confidentially waits for the
// requesting body's decision (no answer on the requested side until then), and
// a request on a notarised executive document is refused on Russia's Article
// 25 declaration, the Party chosen from those the form offers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PARTIES } from '../../src/domain/parties.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { aRequest } from '../support/requests.js';
import { SHOTS, browserSkip, launchBrowser } from '../support/browser.js';

/** What an officer must never read: English words of the code, rule codes, raw ids, ISO or UTC times. */
function assertReadable(text: string): void {
  assert.doesNotMatch(text, /\b(undefined|null|true|false|declaration|confidential|dispatch|arrival|UTC)\b/);
  assert.doesNotMatch(text, /\bR1[0-9]\.|R-KZ|workflow\.|refusal\./);
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}/, 'no ISO dates');
  assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'no ids');
}

describe(
  'R16, R13.d: confidentiality decision and refusal on a declaration in the officer’s browser',
  { skip: browserSkip },
  () => {
    let fed: RunningDemo & { dir: string; close(): Promise<void> };
    let browser: Browser;
    const ids = { confidentialRu: '', confidentialKz: '', notarialKz: '' };

    before(async () => {
      fed = await startTestFederation();
      browser = await launchBrowser();
      const ru = fed.nodes.RU.wired.ctx;
      const kz = fed.nodes.KZ.wired.ctx;
      const ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
      const example = aRequest();
      // A notarised executive document: Russia declared it does not apply the Agreement to those (R25.a).
      const proceedingId = (
        await createProceeding(ru, ruOfficer, {
          number: '4242/26/77001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [
            {
              ...example.executiveDocument!,
              title: 'Исполнительная надпись нотариуса',
              issuer: { kind: 'notary', name: 'Нотариус г. Москвы Смирнова О. П.' },
            },
          ],
        })
      ).id;
      const send = async (confidential: boolean) => {
        const d = await draftRequest(ru, ruOfficer, {
          proceedingId,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
          items: [{ kind: 'property', subItems: ['b'] }],
          grounds: 'Должник владеет недвижимым имуществом в г. Алматы.',
          confidential,
        });
        const s = await signRequest(ru, ruOfficer, { requestId: d.id });
        return { id: d.id, messageId: s.messageId };
      };
      const confidential = await send(true);
      const notarial = await send(false);
      await settle(fed);
      const incoming = async (messageId: string) =>
        (
          await kz.db
            .selectFrom('requests')
            .select('id')
            .where('message_id', '=', messageId)
            .where('direction', '=', 'incoming')
            .executeTakeFirstOrThrow()
        ).id;
      ids.confidentialRu = confidential.id;
      ids.confidentialKz = await incoming(confidential.messageId);
      ids.notarialKz = await incoming(notarial.messageId);
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

    test('R16: after «confidentiality impossible» the requested side waits for the requesting body’s decision, then answers', async () => {
      const kz = await signIn('KZ', 'kz.officer');
      const url = `${fed.nodes.KZ.apiUrl}/requests/${ids.confidentialKz}`;
      await kz.goto(url);
      assert.equal(
        await kz.getByRole('link', { name: 'Ответить', exact: true }).count(),
        1,
        'answerable before the notice',
      );
      // Issue 14.4: the notice is among «Другие действия» (closed by default).
      await kz.locator('details.other-actions > summary').click();
      const notice = kz.locator('#step-notify_confidentiality_impossible');
      await notice.locator('textarea').fill('Банк уведомляет клиента о каждом запросе сведений о счетах.');
      await notice.getByRole('button', { name: 'Уведомить' }).click();
      await kz.waitForURL(url);
      const waiting = kz.locator('#confidentiality-pending');
      await waiting.waitFor();
      assert.match(await waiting.innerText(), /Ожидается решение запрашивающего органа/);
      assert.equal(await kz.getByRole('link', { name: 'Ответить', exact: true }).count(), 0, 'no answer button');
      assert.equal(await kz.locator('#step-answer_final, #step-answer_partial').count(), 0);
      const text = await kz.locator('main').innerText();
      assertReadable(text);
      await kz.screenshot({ path: `${SHOTS}confidentiality-waiting-kz.png`, fullPage: true });

      // The requesting body decides on its own node.
      await settle(fed);
      const ru = await signIn('RU', 'ru.officer');
      const ruUrl = `${fed.nodes.RU.apiUrl}/requests/${ids.confidentialRu}`;
      await ru.goto(ruUrl);
      assert.match(await ru.locator('#confidentiality-pending').innerText(), /Решите, исполнять ли запрос/);
      assertReadable(await ru.locator('main').innerText());
      await ru.screenshot({ path: `${SHOTS}confidentiality-decision-ru.png`, fullPage: true });
      await ru.locator('#step-continue_without_confidentiality').getByRole('button', { name: 'Подтвердить' }).click();
      await ru.waitForURL(ruUrl);
      await settle(fed);
      await kz.goto(url);
      assert.equal(await kz.locator('#confidentiality-pending').count(), 0);
      assert.equal(
        await kz.getByRole('link', { name: 'Ответить', exact: true }).count(),
        1,
        'answerable after the decision',
      );
      await kz.context().close();
      await ru.context().close();
    });

    test('R13.d: the refusal form offers only the Party whose declaration covers the document; the refusal names it', async () => {
      const kz = await signIn('KZ', 'kz.officer');
      const url = `${fed.nodes.KZ.apiUrl}/requests/${ids.notarialKz}`;
      await kz.goto(url);
      await kz.locator('details.other-actions > summary').click();
      const form = kz.locator('#step-refuse');
      const offered = await form
        .locator('select[name="declarationParty"] option')
        .evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
      assert.deepEqual(
        offered.map(([v]) => v),
        ['', 'RU'],
        'only Russia, whose declaration on notarised documents covers this request',
      );
      assert.match(offered[1]![1]!, /Россия \(запрашивающая Сторона\)/);
      await form.locator('select[name="ground"]').selectOption('declaration');
      await form.locator('select[name="declarationParty"]').selectOption('RU');
      await form
        .locator('textarea')
        .fill(
          'Исполнительный документ — исполнительная надпись нотариуса; Российская Федерация заявила о неприменении Соглашения к нотариально заверенным документам.',
        );
      await kz.screenshot({ path: `${SHOTS}refusal-declaration-form-kz.png`, fullPage: true });
      await form.getByRole('button', { name: 'Отказать' }).click();
      // Issue 14.4: a refusal is confirmed on a page of its own.
      assert.match(await kz.locator('h1').innerText(), /Подтвердите отказ/);
      assert.match(await kz.locator('main').innerText(), /Россия/);
      await kz.screenshot({ path: `${SHOTS}refusal-confirm-kz.png`, fullPage: true });
      await kz.getByRole('button', { name: 'Подтвердить отказ' }).click();
      await kz.waitForURL(url);
      const main = await kz.locator('main').innerText();
      assert.match(main, /Отказано в исполнении/);
      assert.match(main, /Сторона, сделавшая заявление: Россия/);
      assertReadable(main);
      await kz.screenshot({ path: `${SHOTS}refusal-declaration-kz.png`, fullPage: true });
      const kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
      const v = await getRequest(fed.nodes.KZ.wired.ctx, kzOfficer, ids.notarialKz);
      assert.deepEqual(
        v.events.filter((e) => e.event === 'refuse').map((e) => [e.data.ground, e.data.declarationParty]),
        [['declaration', 'RU']],
      );
      await kz.context().close();
    });
  },
);
