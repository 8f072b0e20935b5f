// Issue 14, items 4 and 5 at the web door on both engines (fastify inject):
// the new-proceeding form keeps what was typed and names each problem next to
// its field; the wizard offers every item kind and no destination; «Проверить
// запрос» leads to the review screen; the draft is saved, shown among outgoing
// requests, edited, and signed only with the confirmation «Я проверил(а) запрос».
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { getRequest } from '../../src/app/get-request.js';
import type { Officer } from '../../src/app/context.js';
import { ITEM_KINDS } from '../../src/domain/request.js';
import { requestableBodies } from '../../src/domain/treaty.js';
import { ENGINES } from '../support/db.js';
import { aRequest } from '../support/requests.js';
import { DEMO_TREATY, nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const PASSWORD = 'correct-horse-battery-staple';
const example = aRequest();

for (const e of ENGINES) {
  describe(`issue 14: proceeding form and request wizard at the web door on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let officer: Officer;
    let cookie = '';
    let csrf = '';
    let proceedingId = '';
    let kzBody = '';

    const get = (url: string) => app.inject({ method: 'GET', url, headers: { cookie } });
    const post = (url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
      const p = new URLSearchParams({ _csrf: csrf });
      for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) p.append(k, x);
      return app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: p.toString(),
      });
    };
    /** The text of an element by id (the error slot next to a field). */
    const slot = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim() ?? null;
    const valueOf = (html: string, id: string) => new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1];

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const body = await seedBody(node.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(node.ctx, body);
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', officer.officerId)
        .execute();
      const p = await createProceeding(node.ctx, officer, {
        number: 'WIZ-1',
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      });
      proceedingId = p.id;
      const kz = requestableBodies(DEMO_TREATY, 'RU', '2026-11-26').find((b) => b.party === 'KZ')!;
      kzBody = `${kz.party}|${kz.id}|${kz.name}`;
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      await app.ready();
      const login = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ login: officer.login, password: PASSWORD }).toString(),
      });
      assert.equal(login.statusCode, 302, login.body.slice(0, 300));
      cookie = ([] as string[])
        .concat(login.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('__Host-eix_session='))!
        .split(';')[0]!;
      csrf = /name="_csrf" value="([^"]+)"/.exec((await get('/')).body)![1]!;
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('R11.1: the proceeding form marks the required fields, offers the three person kinds and id kinds per country', async () => {
      const res = await get('/proceedings/new');
      assert.equal(res.statusCode, 200);
      for (const k of ['физическое лицо', 'индивидуальный предприниматель', 'юридическое лицо'])
        assert.ok(res.body.includes(k), k);
      assert.match(res.body, /for="debtorBirthDate">Дата рождения <span class="req">обязательно/);
      assert.match(res.body, /for="debtorBirthPlace">Место рождения <span class="req">обязательно/);
      assert.match(res.body, /id="debtorBirthDate"[^>]*aria-required="true"/);
      assert.match(res.body, /id="number"[^>]*required/);
      assert.match(res.body, /<option value="RU\|OGRNIP"/);
      assert.match(res.body, /<option value="RUB" selected>российский рубль/);
      assert.match(res.body, /src="\/assets\/person-kind.js"/);
      const js = await get('/assets/person-kind.js');
      assert.equal(js.statusCode, 200);
      assert.match(js.headers['content-type'] as string, /javascript/);
    });

    test('R11.1.c: the live check of an identifier answers under the field in Russian', async () => {
      const bad = await post('/proceedings/check-id', {
        row: 'debtorIpIdValue',
        debtorIpIdKind: 'RU|OGRNIP',
        debtorIpIdValue: '304770000000128',
      });
      assert.equal(bad.statusCode, 200);
      assert.match(bad.body, /ОГРНИП: неверное контрольное число/);
      const good = await post('/proceedings/check-id', {
        row: 'creditorOrgIdValue1',
        creditorOrgIdKind1: 'KZ|BIN',
        creditorOrgIdValue1: '080440000018',
      });
      assert.match(good.body, /БИН: номер верный/);
    });

    test('errors in place: a failed proceeding keeps all input and puts each problem next to its field', async () => {
      const form = {
        number: 'WIZ-2',
        openedOn: '2026-06-01',
        docNumber: 'ФС № 1',
        docDate: '2026-05-20',
        issuerKind: 'court',
        issuerName: 'Арбитражный суд г. Москвы',
        operativePart: 'Взыскать 250 000 рублей.',
        docAmount: '250 000',
        docCurrency: 'RUB',
        debtorType: 'entrepreneur',
        debtorSurname: 'Смирнов',
        debtorName: 'Олег',
        debtorAddress: 'г. Москва, ул. Садовая, д. 3',
        debtorIpIdKind: 'RU|OGRNIP',
        debtorIpIdValue: '304770000000128',
        creditorType: 'legal_entity',
        creditorOrgName: 'ТОО «Алатау»',
        creditorOrgAddress: 'г. Алматы',
        creditorOrgIdKind1: 'KZ|BIN',
        creditorOrgIdValue1: '080440000018',
      };
      const res = await post('/proceedings', form);
      assert.equal(res.statusCode, 400, res.body.slice(0, 500));
      assert.match(slot(res.body, 'err-debtorIpIdValue') ?? '', /ОГРНИП.*контрольное число/);
      assert.match(slot(res.body, 'err-debtorBirthDate') ?? '', /дата рождения/);
      assert.match(slot(res.body, 'err-debtorBirthPlace') ?? '', /место рождения/);
      assert.equal(slot(res.body, 'err-creditorOrgName'), '');
      // Everything typed is kept.
      assert.equal(valueOf(res.body, 'debtorSurname'), 'Смирнов');
      assert.equal(valueOf(res.body, 'debtorIpIdValue'), '304770000000128');
      assert.equal(valueOf(res.body, 'docAmount'), '250 000');
      assert.match(res.body, /id="debtorType-entrepreneur"[^>]*checked/);
      assert.match(res.body, /id="creditorType-legal_entity"[^>]*checked/);
      assert.match(res.body, /<option value="KZ\|BIN" selected/);
      // No code, no JSON path on the page.
      assert.doesNotMatch(res.body, /Код:|input\.invalid|debtor\.ids|\bR11\.1\./);
      // Fixed, it is stored with the entrepreneur's OGRNIP and the company's BIN; the page says «ИП».
      const ok = await post('/proceedings', {
        ...form,
        debtorIpIdValue: '304770000000127',
        debtorBirthDate: '1979-02-11',
        debtorBirthPlace: 'г. Тула',
      });
      assert.equal(ok.statusCode, 302, ok.body.slice(0, 800));
      const page = await get(ok.headers.location as string);
      assert.match(page.body, /<dt>Вид<\/dt><dd>ИП<\/dd>/);
      assert.match(page.body, /<dt>Вид<\/dt><dd>юридическое лицо<\/dd>/);
      assert.match(page.body, /ОГРНИП/);
    });

    test('the wizard offers all 7 kinds and no destination; a failed check keeps the input with errors in place', async () => {
      const res = await get(`/requests/new?proceeding=${proceedingId}`);
      assert.equal(res.statusCode, 200);
      for (const k of ITEM_KINDS) assert.match(res.body, new RegExp(`id="item_${k}"`), k);
      assert.match(res.body, /<option value="" selected>Выберите орган…<\/option>/);
      assert.doesNotMatch(res.body, /<option value="[A-Z]{2}\|[^"]+" selected/);
      assert.match(res.body, /Проверить запрос/);
      const bad = await post('/requests/review', {
        proceedingId,
        requestedBody: kzBody,
        item_documents: '1',
        item_location: '1',
        location_target: 'property',
        location_propertyDescription: 'Автомобиль Toyota Camry',
        otherInfo: 'Иное',
      });
      assert.equal(bad.statusCode, 422);
      assert.match(slot(bad.body, 'err-documents_description') ?? '', /описание/);
      assert.match(slot(bad.body, 'err-location_propertyIdentifiers') ?? '', /идентифицирующие/);
      assert.match(slot(bad.body, 'err-grounds') ?? '', /содержание запроса/);
      assert.equal(slot(bad.body, 'err-location_propertyDescription'), '');
      assert.match(bad.body, /<textarea id="location_propertyDescription"[^>]*>Автомобиль Toyota Camry</);
      assert.match(bad.body, /id="location_target-property"[^>]*checked/);
      assert.match(bad.body, new RegExp(`<option value="${kzBody.replace(/[|()]/g, '\\$&')}" selected`));
      assert.doesNotMatch(bad.body, /\[R\d|items\[|Код:/);
    });

    test('review → «Изменить» keeps the input; «Сохранить проект» makes a draft among outgoing requests; it is edited and signed only with the confirmation', async () => {
      const form = {
        proceedingId,
        requestedBody: kzBody,
        item_documents: '1',
        documents_description: 'Заверенная копия договора займа',
        documents_from: ['parties', 'state_bodies'],
        item_clarification: '1',
        clarification_party: 'creditor',
        clarification_questions: 'Когда передан заём?\nКакая сумма возвращена?',
        grounds: 'Должник проживает в г. Алматы; взыскание в России невозможно.',
      };
      const review = await post('/requests/review', form);
      assert.equal(review.statusCode, 200, review.body.slice(0, 500));
      assert.match(review.body, /<h1>Проверьте запрос перед подписанием<\/h1>/);
      assert.match(review.body, /Заверенная копия договора займа/);
      assert.match(review.body, /у сторон исполнительного производства; у государственных органов/);
      assert.match(review.body, /от взыскателя/);
      assert.match(review.body, /1\) Когда передан заём\?/);
      assert.match(review.body, /Я проверил\(а\) запрос/);
      assert.doesNotMatch(review.body, /state_bodies<|creditor<|\bR5\./);
      // «Изменить»: the wizard again with everything kept.
      const edit = await post('/requests', { ...form, action: 'edit' });
      assert.equal(edit.statusCode, 200);
      assert.match(edit.body, /<textarea id="documents_description"[^>]*>Заверенная копия договора займа</);
      assert.match(edit.body, /id="clarification_party-creditor"[^>]*checked/);
      // Signing from the review without the confirmation is refused, the review kept, the reason next to the box.
      const unconfirmed = await post('/requests', { ...form, action: 'sign' });
      assert.equal(unconfirmed.statusCode, 422);
      assert.match(slot(unconfirmed.body, 'err-confirmed') ?? '', /Я проверил\(а\) запрос/);
      const before = await node.ctx.db
        .selectFrom('requests')
        .select('id')
        .where('proceeding_id', '=', proceedingId)
        .execute();
      assert.equal(before.length, 0, 'nothing stored without the confirmation');
      // «Сохранить проект»: a draft, shown among outgoing requests, openable.
      const saved = await post('/requests', { ...form, action: 'draft' });
      assert.equal(saved.statusCode, 302, saved.body.slice(0, 500));
      const id = /\/requests\/([0-9a-f-]{36})$/.exec(saved.headers.location as string)![1]!;
      assert.equal((await getRequest(node.ctx, officer, id)).state, 'draft');
      assert.match((await get('/')).body, new RegExp(`href="/requests/${id}">проект`));
      assert.equal((await get(`/requests/${id}`)).statusCode, 200);
      // The draft is edited in the wizard and saved again.
      const editPage = await get(`/requests/${id}/edit`);
      assert.equal(editPage.statusCode, 200);
      assert.match(editPage.body, /Изменение проекта запроса/);
      assert.match(editPage.body, new RegExp(`name="requestId" value="${id}"`));
      assert.match(
        editPage.body,
        /<textarea id="clarification_questions"[^>]*>Когда передан заём\?\nКакая сумма возвращена\?</,
      );
      const version = /name="version" value="(\d+)"/.exec(editPage.body)![1]!;
      const revised = await post('/requests', {
        ...form,
        requestId: id,
        version,
        documents_description: 'Заверенная копия договора займа и расписки',
        action: 'draft',
      });
      assert.equal(revised.statusCode, 302, revised.body.slice(0, 500));
      const v = await getRequest(node.ctx, officer, id);
      assert.equal(v.state, 'draft');
      assert.deepEqual(
        v.document.items?.map((i) => i.kind),
        ['documents', 'clarification'],
      );
      // Signing the draft from its page: refused without the confirmation (the review is shown again) …
      const noConfirm = await post(`/requests/${id}/sign`, {});
      assert.equal(noConfirm.statusCode, 422);
      assert.match(noConfirm.body, /Проверьте запрос перед подписанием/);
      assert.match(noConfirm.body, /и расписки/);
      assert.match(slot(noConfirm.body, 'err-confirmed') ?? '', /Я проверил\(а\) запрос/);
      assert.equal((await getRequest(node.ctx, officer, id)).state, 'draft');
      // … and signed with it.
      const review2 = await get(`/requests/${id}/review`);
      assert.match(review2.body, new RegExp(`action="/requests/${id}/sign"`));
      assert.match(review2.body, new RegExp(`href="/requests/${id}/edit"`));
      const signed = await post(`/requests/${id}/sign`, { confirmed: 'yes' });
      assert.equal(signed.statusCode, 302, signed.body.slice(0, 500));
      assert.equal((await getRequest(node.ctx, officer, id)).state, 'signed');
    });

    test('«Подписать и отправить» from the review with the confirmation drafts and signs at once', async () => {
      const res = await post('/requests', {
        proceedingId,
        requestedBody: kzBody,
        item_other: '1',
        other_description: 'Сведения о выезде должника за пределы Республики Казахстан',
        grounds: 'Должник проживает в г. Алматы.',
        action: 'sign',
        confirmed: 'yes',
      });
      assert.equal(res.statusCode, 302, res.body.slice(0, 500));
      const id = /\/requests\/([0-9a-f-]{36})$/.exec(res.headers.location as string)![1]!;
      const v = await getRequest(node.ctx, officer, id);
      assert.equal(v.state, 'signed');
      assert.match(v.number, /.+/);
    });
  });
}
