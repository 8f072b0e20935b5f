// Issue 14 on the officer's pages of a requested node (KZ), with RU's node on its own database: the answer
// form with Article 4 amounts and several accounts, errors in place with input kept, the cross-border picture
// RU builds from KZ's answer (R4.c), the actions that fit the state (RA.*), the refusal confirmed first (R13.a),
// step errors in place, and a delayed message explained in Russian and made due again by «Повторить отправку».
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { getRequest } from '../../src/app/get-request.js';
import { getCrossBorderPicture } from '../../src/app/get-cross-border-picture.js';
import type { AnswerData } from '../../src/domain/answer.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { aRequest } from '../support/requests.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'kz-officer-correct-horse';
const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const example = aRequest();

/** A multipart body by hand (fields and files), with its length, as a browser sends it. */
function multipart(
  fields: [string, string][],
  files: { field: string; name: string; type: string; content: string }[] = [],
) {
  const boundary = '----eixtest' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of fields)
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n${f.content}\r\n`,
      ),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(parts);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

const text = (html: string, id: string): string => {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return m ? m[1]!.trim() : '';
};

for (const e of ENGINES) {
  describe(`issue 14 items 3, 4, 6: answer form, actions, delivery status on ${e.engine}`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let ruOfficer: Officer;
    let kzOfficer: Officer;
    let app: FastifyInstance;
    let base: string;
    let token: string;
    let proceedingId: string;
    let messageId: string;
    let incomingId: string;
    let outgoingId: string;

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', ru.clock);
      const ruBody = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      ruOfficer = await seedOfficer(ru.ctx, ruBody);
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      kzOfficer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      await kz.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', kzOfficer.officerId)
        .execute();
      proceedingId = (
        await createProceeding(ru.ctx, ruOfficer, {
          number: '777/26/77001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      const d = await draftRequest(ru.ctx, ruOfficer, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      outgoingId = d.id;
      messageId = (await signRequest(ru.ctx, ruOfficer, { requestId: d.id })).messageId;
      const receivedAt = '2026-11-26T10:00:00+05:00';
      incomingId = (
        await receiveRequest(kz.ctx, SYSTEM, {
          messageId,
          fromBody: { id: ruBody, party: 'RU', name: 'ГУФССП России по г. Москве' },
          toBodyId: 'kz-central',
          receivedAt,
          document: (await getRequest(ru.ctx, ruOfficer, d.id)).document,
        })
      ).id;
      await recordDelivery(ru.ctx, SYSTEM, { messageId, receiptAt: receivedAt });
      app = await buildServer({ ctx: kz.ctx, logLevel: 'silent', rateLimit: 100_000 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: kzOfficer.login, password: PASSWORD }).toString(),
      });
      assert.equal(res.status, 302);
      token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
    });
    after(async () => {
      await app?.close();
      await ru?.database.close();
      await kz?.database.close();
    });

    const get = async (url: string) => {
      const res = await fetch(`${base}${url}`, { redirect: 'manual', headers: { cookie: `${COOKIE}=${token}` } });
      return { status: res.status, html: await res.text() };
    };
    const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await get('/')).html)![1]!;
    const post = async (url: string, form: Record<string, string>) => {
      const res = await fetch(`${base}${url}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${COOKIE}=${token}` },
        body: new URLSearchParams({ _csrf: await csrf(), ...form }).toString(),
      });
      return { status: res.status, html: await res.text(), location: res.headers.get('location') };
    };
    const postAnswer = async (fields: [string, string][], files: Parameters<typeof multipart>[1] = []) => {
      const version = String((await getRequest(kz.ctx, kzOfficer, incomingId)).version);
      const m = multipart([['_csrf', await csrf()], ['version', version], ...fields], files);
      const res = await fetch(`${base}/requests/${incomingId}/answer`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': m.type, 'content-length': String(m.body.length), cookie: `${COOKIE}=${token}` },
        body: m.body,
      });
      return { status: res.status, html: await res.text(), location: res.headers.get('location') };
    };

    test('RA.6, RA.1, RA.2: a received request offers «Принять к исполнению» and «Ответить»; the rest under a closed «Другие действия»; nothing senseless', async () => {
      const { html } = await get(`/requests/${incomingId}`);
      const actions = html.slice(html.indexOf('id="actions"'));
      const [open, other] = actions.split('<details class="other-actions"');
      assert.match(open!, /Принять к исполнению/);
      assert.match(open!, />Ответить</);
      assert.ok(other, 'a «Другие действия» section');
      assert.match(other!, /^>\s*<summary>Другие действия<\/summary>/, 'closed by default');
      assert.match(other!, /id="step-refuse"/);
      assert.ok(!/step-notify_confidentiality_impossible/.test(html), 'RA.1: not confidential');
      assert.ok(!/step-reply_additional_info/.test(html), 'RA.2: nobody asked (and not this side)');
      // R13.a: no ground preselected — the list starts with an empty, required choice.
      assert.match(
        other!,
        /<select id="refuse-ground" name="ground" required><option value=""( selected)?>— выберите основание —<\/option>/,
      );
    });

    test('issue 14.6: the answer form repeats what was asked and offers Article 4 amounts with a currency list, accounts, vehicles, shares, R9.3', async () => {
      const { status, html } = await get(`/requests/${incomingId}/answer`);
      assert.equal(status, 200);
      assert.match(html, /Что запрошено[\s\S]*взыскано, арестовано/);
      assert.match(html, /а\) счета, вклады/);
      assert.match(html, /за период с 01\.12\.2023 по 31\.10\.2026/i);
      assert.match(html, /name="proceedings_1_0_collected_currency"[^>]*><option value="KZT">казахстанский тенге/);
      for (const n of [
        'accounts_2_1_bank',
        'realEstate_2_0_description',
        'vehicles_2_0_vin',
        'employer_3_0_name',
        'income_3_0_source',
        'addresses_4_0_address',
        'disclosureProcedure_1_0_body',
      ])
        assert.match(html, new RegExp(`name="${n}"`), n);
      assert.match(html, /Особый порядок предоставления сведений взыскателю/);
      assert.ok(!/name="shares_2/.test(html), 'shares were not asked (6.a–c only)');
    });

    test('issue 14.6: a row filled in part is an error next to the row; what was typed stays; attached files must be chosen again', async () => {
      const r = await postAnswer(
        [
          ['outcome_2', 'found'],
          ['rows_accounts_2', '2'],
          ['accounts_2_0_bank', 'АО «Kaspi Bank»'],
          ['accounts_2_0_number', ''],
          ['accounts_2_1_bank', 'АО «Халык Банк»'],
          ['accounts_2_1_number', 'KZ11601A871000123456'],
        ],
        [{ field: 'file_2', name: 'выписка.txt', type: 'text/plain', content: 'Выписка' }],
      );
      assert.equal(r.status, 422);
      assert.match(text(r.html, 'err-accounts_2_0'), /Счёт 1: заполните «Номер счёта»/);
      assert.equal(text(r.html, 'err-accounts_2_1'), '');
      assert.match(r.html, /name="accounts_2_1_number" value="KZ11601A871000123456"/);
      assert.match(r.html, /<option value="found" selected>/);
      assert.match(r.html, /нужно выбрать заново/);
      assert.equal((await getRequest(kz.ctx, kzOfficer, incomingId)).answers.length, 0, 'nothing sent');
    });

    test('issue 14.6: «Добавить ещё» re-renders the form with more rows and keeps what was typed', async () => {
      const r = await postAnswer([
        ['more', 'accounts_2'],
        ['rows_accounts_2', '2'],
        ['accounts_2_1_bank', 'АО «Халык Банк»'],
      ]);
      assert.equal(r.status, 200);
      assert.match(r.html, /name="accounts_2_3_bank"/);
      assert.match(r.html, /name="accounts_2_1_bank" value="АО «Халык Банк»"/);
    });

    test('R4.c, issue 14.6: KZ answers with Article 4 amounts and two accounts; RU’s cross-border picture shows the amounts', async () => {
      const r = await postAnswer([
        ['outcome_1', 'found'],
        ['proceedings_1_0_number', '12-2026-KZ'],
        ['proceedings_1_0_executiveDocument', 'исполнительный лист ВС № 1'],
        ['proceedings_1_0_collected', '150 000,50'],
        ['proceedings_1_0_collected_currency', 'KZT'],
        ['proceedings_1_0_arrested', '2000000'],
        ['proceedings_1_0_arrested_currency', 'KZT'],
        ['proceedings_1_0_forSale_currency', 'KZT'],
        ['outcome_2', 'found'],
        ['rows_accounts_2', '2'],
        ['accounts_2_0_bank', 'АО «Kaspi Bank»'],
        ['accounts_2_0_number', 'KZ86125KZT5004100100'],
        ['accounts_2_0_currency', 'KZT'],
        ['accounts_2_1_bank', 'АО «Халык Банк»'],
        ['accounts_2_1_number', 'KZ11601A871000123456'],
        ['accounts_2_1_currency', ''],
        ['accounts_2_1_balance_currency', 'KZT'],
      ]);
      assert.equal(r.status, 302, r.html.slice(0, 2000));
      const kzView = await getRequest(kz.ctx, kzOfficer, incomingId);
      const byItem = Object.fromEntries(kzView.answers.map((a) => [a.itemNo, a.data as AnswerData]));
      assert.deepEqual(byItem[1], {
        proceedings: [
          {
            number: '12-2026-KZ',
            executiveDocument: 'исполнительный лист ВС № 1',
            collected: { value: 150000.5, currency: 'KZT' },
            arrested: { value: 2000000, currency: 'KZT' },
          },
        ],
      });
      assert.deepEqual(byItem[2], {
        accounts: [
          { bank: 'АО «Kaspi Bank»', number: 'KZ86125KZT5004100100', currency: 'KZT' },
          { bank: 'АО «Халык Банк»', number: 'KZ11601A871000123456' },
        ],
      });
      // The answer travels as the transport carries it; RU's picture adds up what KZ reported.
      await receiveAnswer(ru.ctx, SYSTEM, {
        messageId: 'ans-web-0001',
        requestMessageId: messageId,
        final: false,
        items: kzView.answers.map((a) => ({ itemNo: a.itemNo, outcome: a.outcome as 'found', data: a.data as object })),
      });
      // The receipt was KZ's act: RU's history says so (not «…(запрашивающая сторона)»).
      const ruView = await getRequest(ru.ctx, ruOfficer, outgoingId);
      assert.deepEqual(
        ruView.events.filter((x) => x.event === 'receipt').map((x) => x.side),
        ['requested'],
      );
      const { picture } = await getCrossBorderPicture(ru.ctx, ruOfficer, proceedingId);
      assert.deepEqual(
        picture.map((x) => [x.party, x.number, x.collected, x.arrested, x.forSale]),
        [['KZ', '12-2026-KZ', { value: 150000.5, currency: 'KZT' }, { value: 2000000, currency: 'KZT' }, undefined]],
      );
      // And KZ's request page shows the answer in Russian, amounts with the currency's name.
      const page = (await get(`/requests/${incomingId}`)).html;
      assert.match(page, /взыскано 150\s000,5 казахстанский тенге/);
    });

    test('issue 14.4: a step refused by the use case is shown again open, with its error and what was typed', async () => {
      const r = await post(`/requests/${incomingId}/steps/notify_delay`, {
        newDate: '2026-11-27',
        reason: 'Ожидается ответ банка',
      });
      assert.equal(r.status, 400);
      assert.match(text(r.html, 'err-step-notify_delay'), /Новый срок должен быть позже/);
      assert.match(r.html, /<textarea id="notify_delay-reason" name="reason"[^>]*>Ожидается ответ банка</);
      assert.match(r.html, /<details class="other-actions" open>/);
      // RA.1: a step the page never offers is refused by the use case too (a crafted form), in Russian.
      const senseless = await post(`/requests/${incomingId}/steps/notify_confidentiality_impossible`, {
        reason: 'Банк уведомляет клиента',
      });
      assert.equal(senseless.status, 409);
      assert.match(senseless.html, /не требует сохранения конфиденциальности/);
    });

    test('R13.a, issue 14.4: a refusal needs its ground and a confirmation page before it is sent', async () => {
      const noGround = await post(`/requests/${incomingId}/steps/refuse`, {
        ground: '',
        circumstances: 'Обстоятельства',
      });
      assert.equal(noGround.status, 422);
      assert.match(text(noGround.html, 'err-step-refuse'), /Заполните поле «Основание»/);
      const ask = await post(`/requests/${incomingId}/steps/refuse`, {
        ground: 'law',
        circumstances: 'Обстоятельства',
      });
      assert.equal(ask.status, 200);
      assert.match(ask.html, /Подтвердите отказ в исполнении запроса/);
      assert.match(ask.html, /исполнение противоречит законодательству/);
      assert.equal((await getRequest(kz.ctx, kzOfficer, incomingId)).state, 'partially_answered', 'not yet refused');
      const done = await post(`/requests/${incomingId}/steps/refuse`, {
        ground: 'law',
        circumstances: 'Обстоятельства',
        confirmed: 'yes',
      });
      assert.equal(done.status, 302, done.html.slice(0, 500));
      assert.equal((await getRequest(kz.ctx, kzOfficer, incomingId)).state, 'refused');
    });

    test('issue 14.3: a delayed message says why in Russian, offers «Повторить отправку», and the retry makes it due now (audited)', async () => {
      const row = await kz.ctx.db
        .selectFrom('outbox')
        .select(['id', 'message_id'])
        .where('request_id', '=', incomingId)
        .orderBy('id')
        .executeTakeFirstOrThrow();
      const later = new Date(kz.clock.now().getTime() + 3_600_000);
      await kz.ctx.db
        .updateTable('outbox')
        .set({ status: 'pending', attempts: 0, last_error: null, next_attempt_at: later })
        .where('request_id', '=', incomingId)
        .execute();
      let page = (await get(`/requests/${incomingId}`)).html;
      assert.match(page, /отправляется…/);
      assert.ok(!/задерживается/.test(page), 'queued, never failed: not delayed');
      await kz.ctx.db
        .updateTable('outbox')
        .set({ attempts: 1, last_error: 'signer.missing: Нет ключа подписи органа kz-central (/srv/eix/keys)' })
        .where('id', '=', row.id)
        .execute();
      page = (await get(`/requests/${incomingId}`)).html;
      assert.match(page, /задерживается/);
      assert.match(page, /нет ключа электронной подписи/);
      assert.match(page, /Сообщите администратору узла/);
      assert.ok(!/\/srv\/eix|signer\.missing/.test(page), 'no path, no code');
      assert.match(page, /Повторить отправку/);
      const r = await post(`/requests/${incomingId}/deliveries/${row.message_id}/retry`, {});
      assert.equal(r.status, 302);
      const after = await kz.ctx.db
        .selectFrom('outbox')
        .select(['status', 'next_attempt_at'])
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.equal(after.status, 'pending');
      assert.ok(after.next_attempt_at.getTime() <= kz.clock.now().getTime(), 'due now');
      const audit = await kz.ctx.db
        .selectFrom('audit_log')
        .select(['action', 'subject'])
        .where('action', '=', 'federation.delivery_retry')
        .execute();
      assert.deepEqual(
        audit.map((x) => x.subject),
        [row.message_id],
      );
    });
  });
}
