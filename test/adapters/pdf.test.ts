// R10.a: printable request and answer forms (pdfmake, DejaVu) and the QR code
// that ties the paper original to the signed electronic document. The text is
// read back with pdfjs, the QR image decoded with jsQR; verification runs on
// PGlite with the real use cases.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { pdfText } from '../support/pdf.js';
import { qrFor, qrPayload, qrPng, renderAnswerPdf, renderRequestPdf } from '../../src/adapters/pdf/request-pdf.js';
import type { PdfSeal } from '../../src/ports/pdf.js';
import { sha256Hex } from '../../src/adapters/crypto/jws.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { signRequest } from '../../src/app/sign-request.js';
import { parseQrPayload, sealFor, verifyPaperOriginal } from '../../src/app/verify-paper-original.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { EixError } from '../../src/domain/errors.js';
import { paperShortCode, readPaperShortCode } from '../../src/domain/paper-original.js';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

// jsqr is CommonJS with a `default` export; under NodeNext the default import is module.exports.
const jsQR = (jsQRModule as unknown as { default: typeof jsQRModule.default }).default;
const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const example = aRequest();

/** Text with all whitespace removed, for strings a line break may split. */
const squeeze = (s: string): string => s.replace(/\s+/g, '');

/**
 * Issue 14, item 8: paper carries no technical strings — no message or request ids, digests, the console
 * command, the QR text, Latin article letters («6.a») or body identifiers.
 */
function noTechnicalStrings(printed: string, ids: readonly string[], registrationNumber: string): void {
  // The registration number is the body's own (it may contain the body's code): it is no technical string.
  const text = squeeze(printed).replaceAll(squeeze(registrationNumber), '№');
  const flat = text;
  for (const id of ids) assert.ok(!flat.includes(squeeze(id)), `a technical id is printed: ${id}`);
  for (const bad of [
    /eix\s*pdf/i,
    /EIX1\|/,
    /SHA-256/,
    /\b[0-9a-f]{16,}\b/,
    /\d\.[a-e]\b/,
    /идентификатор/i,
    /ru-fssp-\d+/,
    /kz-central/,
  ])
    assert.ok(!bad.test(text), `technical string ${bad} on paper: «${bad.exec(text)?.[0]}»`);
}

function decodeQr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  return (
    jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height)?.data ??
    null
  );
}

/** A compact JWS shaped like ours (header with x5c, envelope with the officer); the signature is not checked here. */
function fakeJws(envelope: Record<string, unknown>, body: Record<string, unknown> = {}): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'ES256', typ: 'eix-message+jws', x5c: [Buffer.from('test certificate DER').toString('base64')] })}.${b64({ envelope, body })}.${Buffer.from('signature').toString('base64url')}`;
}

test('issue 14, item 8: the short code is 12 Crockford characters from the digest, grouped 4-4-4, read leniently, with a check character', () => {
  const digest = sha256Hex('signed JWS');
  const code = paperShortCode(digest);
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.equal(paperShortCode(digest.toUpperCase()), code, 'stable');
  assert.notEqual(paperShortCode(sha256Hex('signed JWS.')), code);
  assert.deepEqual(readPaperShortCode(code.toLowerCase().replaceAll('-', ' ')), { code });
  // Every single-character typo and every swap of two different neighbours is caught by the check character.
  const raw = code.replaceAll('-', '');
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  for (let i = 0; i < raw.length; i++)
    for (const c of alphabet)
      if (c !== raw[i])
        assert.deepEqual(readPaperShortCode(raw.slice(0, i) + c + raw.slice(i + 1)), { problem: 'check' });
  for (let i = 0; i + 1 < raw.length; i++)
    if (raw[i] !== raw[i + 1])
      assert.deepEqual(readPaperShortCode(raw.slice(0, i) + raw[i + 1] + raw[i] + raw.slice(i + 2)), {
        problem: 'check',
      });
  for (const bad of ['', 'ABCD-EFGH', `${raw}0`, raw.replace(/.$/, 'U')])
    assert.deepEqual(readPaperShortCode(bad), { problem: 'shape' });
});

test('R10.a: the QR payload is short and stable, and the QR image decodes to it', async () => {
  const seal = { messageId: '0b7c9a52-7a3f-4a0e-9d8c-1f2e3d4c5b6a', documentSha256: 'ab'.repeat(32) };
  const payload = qrPayload(seal);
  assert.equal(payload, `EIX1|${seal.messageId}|${seal.documentSha256}`);
  assert.equal(decodeQr(await qrPng(payload)), payload);
  assert.deepEqual(parseQrPayload(`  ${payload.toUpperCase().replace('EIX1', 'EIX1')}  `), {
    messageId: seal.messageId,
    sha256: seal.documentSha256,
  });
  for (const bad of [
    '',
    'EIX2|0b7c9a52-7a3f-4a0e-9d8c-1f2e3d4c5b6a|' + 'ab'.repeat(32),
    'EIX1|not-a-uuid|' + 'ab'.repeat(32),
    'EIX1|0b7c9a52-7a3f-4a0e-9d8c-1f2e3d4c5b6a|abc',
    42,
  ]) {
    assert.throws(
      () => parseQrPayload(bad),
      (e: unknown) => e instanceof EixError && e.code === 'input.invalid' && e.data.field === 'payload',
    );
  }
});

for (const e of ENGINES) {
  describe(`printable forms on ${e.engine}`, () => {
    let ru: TestNode;
    let officer: Officer;
    let stranger: Officer;
    let requestId: string;
    let requestMessageId: string;
    let requestJws: string;
    let answerMessageId: string;
    let answerJws: string;
    let draftId: string;

    before(async () => {
      ru = nodeOn(await e.open(), 'RU');
      const body = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, body);
      stranger = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: 'ru-fssp-78' }));
      // The letterhead and the officer's contacts (migration 014; `eix body add --address …`, `eix user add --phone …`).
      await ru.ctx.db
        .updateTable('bodies')
        .set({
          address: '125009, г. Москва, ул. Тверская, д. 1',
          phone: '+7 495 123-45-67',
          email: 'moscow@fssp.example',
        })
        .where('id', '=', body)
        .execute();
      await ru.ctx.db
        .updateTable('officers')
        .set({ phone: '+7 495 123-45-68', email: 'petrova@fssp.example' })
        .where('id', '=', officer.officerId)
        .execute();
      const proceedingId = (
        await createProceeding(ru.ctx, officer, {
          number: '123456/26/77001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      const content = {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: [
          ...example.items!,
          { kind: 'clarification', party: 'debtor', questions: ['Почему не исполнено решение суда?'] },
        ],
        grounds: example.grounds,
        otherInfo: 'Должник имеет двойное гражданство.',
        confidential: true,
        shorterTerm: '2026-12-20',
      };
      const d = await draftRequest(ru.ctx, officer, content);
      assert.equal(d.check.ok, true, JSON.stringify(d.check.errors));
      requestId = d.id;
      draftId = (await draftRequest(ru.ctx, officer, content)).id;
      const signed = await signRequest(ru.ctx, officer, { requestId });
      requestMessageId = signed.messageId;
      // What the federation transport does at the first sending attempt: sign and seal.
      requestJws = fakeJws({
        id: requestMessageId,
        type: 'request',
        createdAt: '2026-11-26T06:05:00.000Z',
        from: { party: 'RU', body: 'ru-fssp-77' },
        to: { party: 'KZ', body: 'kz-central' },
        officer: { id: officer.officerId, name: officer.fullName, position: officer.position },
      });
      await ru.ctx.db
        .updateTable('outbox')
        .set({
          signed_enc: ru.ctx.sealer.encrypt(Buffer.from(requestJws), `outbox:${requestMessageId}`),
          signed_key_id: ru.ctx.sealer.activeKeyId,
        })
        .where('message_id', '=', requestMessageId)
        .execute();
      await recordDelivery(ru.ctx, SYSTEM, { messageId: requestMessageId, receiptAt: '2026-11-26T10:00:00+05:00' });

      // The Kazakh answer arrives (inbox) and is stored.
      answerMessageId = randomUUID();
      answerJws = fakeJws({
        id: answerMessageId,
        type: 'answer_final',
        createdAt: '2026-12-01T05:00:00.000Z',
        inReplyTo: requestMessageId,
        from: { party: 'KZ', body: 'kz-central' },
        to: { party: 'RU', body: 'ru-fssp-77' },
        officer: { id: 'kz-1', name: 'Ахметов Серик Болатович', position: 'главный судебный исполнитель' },
      });
      await ru.ctx.db
        .insertInto('inbox')
        .values({
          message_id: answerMessageId,
          from_party: 'KZ',
          from_body: 'kz-central',
          type: 'answer_final',
          payload_enc: ru.ctx.sealer.encrypt(Buffer.from(answerJws), `inbox:${answerMessageId}`),
          key_id: ru.ctx.sealer.activeKeyId,
          receipt: null,
          processed_at: null,
        })
        .execute();
      const attachment = {
        fileName: 'выписка.txt',
        mediaType: 'text/plain',
        contentBase64: Buffer.from('Выписка по счёту').toString('base64'),
      };
      await receiveAnswer(ru.ctx, SYSTEM, {
        messageId: answerMessageId,
        requestMessageId,
        final: true,
        items: [
          { itemNo: 1, outcome: 'not_found' },
          {
            itemNo: 2,
            outcome: 'found',
            attachments: [attachment],
            data: {
              accounts: [
                {
                  bank: 'АО «Халык Банк»',
                  number: 'KZ86125KZT5004100100',
                  currency: 'KZT',
                  balance: { value: 125000.5, currency: 'KZT' },
                },
              ],
              realEstate: [
                {
                  description: 'Квартира',
                  address: 'г. Алматы, пр. Абая, д. 5, кв. 12',
                  cadastralNumber: '20-311-005-123',
                },
              ],
              vehicles: [
                { description: 'Toyota Camry', registrationNumber: '123ABC02', vin: 'JTNB11HK103456789', year: 2019 },
              ],
              disclosureProcedure: {
                description: 'Сведения о счетах предоставляются взыскателю по решению суда.',
                body: 'Национальный банк Республики Казахстан',
              },
            },
          },
          {
            itemNo: 3,
            outcome: 'partial',
            data: {
              employer: { name: 'ТОО «Алматы Строй»', position: 'инженер', since: '2024-03-01' },
              income: [
                {
                  from: '2025-01-01',
                  to: '2025-12-31',
                  amount: { value: 3600000, currency: 'KZT' },
                  source: 'заработная плата',
                },
              ],
              text: 'Сведения о доходах за 2024 год отсутствуют.',
            },
          },
          {
            itemNo: 4,
            outcome: 'found',
            data: {
              addresses: [
                { address: 'г. Алматы, ул. Жибек Жолы, д. 50', kind: 'место пребывания', since: '2024-02-01' },
              ],
            },
          },
          { itemNo: 5, outcome: 'not_disclosable' },
        ],
      });
    });
    after(async () => {
      await ru.database.close();
    });

    test('R10.a, R11.1: the signed request prints in Russian with every part, the signature block and the QR code', async () => {
      const view = await getRequest(ru.ctx, officer, requestId);
      const seal = await sealFor(ru.ctx, view);
      assert.ok(seal);
      assert.equal(seal.messageId, requestMessageId);
      assert.equal(seal.documentSha256, sha256Hex(requestJws));
      assert.deepEqual(seal.officer, { name: 'Петрова Анна Сергеевна', position: 'судебный пристав-исполнитель' });
      assert.equal(seal.bodyName, 'ГУФССП России по г. Москве');
      assert.equal(seal.signedAt, '2026-11-26T06:05:00.000Z');
      assert.equal(seal.certificateSha256, sha256Hex(Buffer.from('test certificate DER')));

      const pdf = await renderRequestPdf(view, seal);
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const { text, pages, info } = await pdfText(pdf);
      assert.equal(info.Creator, 'EIX');
      assert.match(String(info.Title), /^Запрос № ru-fssp-77\/2026\/000001$/);
      for (const s of [
        'ЗАПРОС',
        'о предоставлении информации при осуществлении принудительного исполнения',
        `№ ${view.number} от 26.11.2026`,
        'ГУФССП России по г. Москве',
        'Российская Федерация',
        'Республика Казахстан',
        'Министерство юстиции Республики Казахстан',
        '123456/26/77001-ИП',
        '02.03.2026',
        'Исполнительный лист',
        'ФС № 012345678',
        '10.02.2026',
        'Тверской районный суд г. Москвы',
        'Иванов',
        'Иванович',
        'IVANOV IVAN',
        '15.05.1980',
        '500100732259',
        'ООО «Ромашка»',
        '1027700132195',
        'ст. 6 а), 6 б), 6 в)',
        'недвижимое имущество',
        'ст. 7 а), 7 б)',
        'Период: с 01.12.2023 по 31.10.2026',
        'ст. 8',
        'Получение объяснений от должника',
        'Почему не исполнено решение суда?',
        'Должник имеет двойное гражданство.',
        'обеспечить конфиденциальность',
        'до 20.12.2026',
        'Петрова Анна Сергеевна',
        'судебный пристав-исполнитель',
        // Issue 14, item 8: the signing time in the node's zone, labelled; the outgoing number; letterhead; contacts.
        '26.11.2026 09:05 (по местному времени, +03:00)',
        `Исх. № ${view.number} от 26.11.2026`,
        '125009, г. Москва, ул. Тверская, д. 1',
        'тел. +7 495 123-45-67',
        'эл. почта: moscow@fssp.example',
        '+7 495 123-45-68',
        'petrova@fssp.example',
        `Код проверки: ${seal.shortCode}`,
        'Проверка оригинала',
        `стр. 1 из ${pages}`,
      ])
        assert.ok(squeeze(text).includes(squeeze(s)), `missing «${s}»`);
      assert.match(seal.shortCode ?? '', /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      noTechnicalStrings(
        text,
        [requestMessageId, sha256Hex(requestJws), seal.certificateSha256!, view.id],
        view.number,
      );
      assert.ok(squeeze(text).includes(squeeze('Взыскать с Иванова Ивана Ивановича в пользу ООО «Ромашка»')));
      assert.ok(!text.includes('ПРОЕКТ'));

      const qr = await qrFor(seal);
      assert.equal(qr.payload, `EIX1|${requestMessageId}|${sha256Hex(requestJws)}`);
      assert.equal(decodeQr(qr.png), qrPayload(seal));
    });

    test('R10.a: a draft prints as «ПРОЕКТ — не подписан» without a QR code', async () => {
      const view = await getRequest(ru.ctx, officer, draftId);
      assert.equal(await sealFor(ru.ctx, view), null);
      const { text } = await pdfText(await renderRequestPdf(view, null));
      assert.ok(text.includes('ПРОЕКТ — не подписан'));
      assert.ok(text.includes('Иванов'));
      assert.ok(!text.includes('EIX1'));
      assert.equal(await sealFor(ru.ctx, view, 'answer'), null);
    });

    test('R4–R8, R9.3: the answer prints each item with its outcome, tables, disclosure procedure, attachments and the QR of the answer message', async () => {
      const view = await getRequest(ru.ctx, officer, requestId);
      const seal = await sealFor(ru.ctx, view, 'answer');
      assert.ok(seal);
      assert.equal(seal.messageId, answerMessageId);
      assert.equal(seal.documentSha256, sha256Hex(answerJws));
      assert.deepEqual(seal.officer, { name: 'Ахметов Серик Болатович', position: 'главный судебный исполнитель' });
      assert.equal(seal.bodyName, 'Министерство юстиции Республики Казахстан');
      const { text, info } = await pdfText(await renderAnswerPdf(view, seal));
      assert.equal(info.Creator, 'EIX');
      for (const s of [
        `ОТВЕТ на запрос № ${view.number}`,
        'Иванов Иван Иванович',
        'сведений нет',
        'сведения найдены',
        'сведения предоставлены частично',
        'сведения не подлежат предоставлению',
        'АО «Халык Банк»',
        'KZ86125KZT5004100100',
        '125 000,50 KZT',
        'Квартира',
        '20-311-005-123',
        'Toyota Camry',
        'JTNB11HK103456789',
        '2019',
        'ТОО «Алматы Строй»',
        'инженер',
        '3 600 000,00 KZT',
        'заработная плата',
        'Сведения о доходах за 2024 год отсутствуют.',
        'г. Алматы, ул. Жибек Жолы, д. 50',
        'Особый порядок предоставления сведений взыскателю (статья 9)',
        'Национальный банк Республики Казахстан',
        'выписка.txt',
        'Ахметов Серик Болатович',
        '01.12.2026 08:00 (по местному времени, +03:00)',
        `На исх. № ${view.number} от 26.11.2026`,
        `Код проверки: ${seal.shortCode}`,
      ])
        assert.ok(squeeze(text).includes(squeeze(s)), `missing «${s}»`);
      noTechnicalStrings(text, [answerMessageId, sha256Hex(answerJws), view.id], view.number);
      assert.equal(decodeQr((await qrFor(seal)).png), `EIX1|${answerMessageId}|${sha256Hex(answerJws)}`);
    });

    test('R10.a: verifyPaperOriginal — valid for the sent request and the received answer; a changed digest, an unknown or hidden message, a bad payload', async () => {
      const ok = await verifyPaperOriginal(ru.ctx, officer, {
        payload: qrPayload({ messageId: requestMessageId, documentSha256: sha256Hex(requestJws) }),
      });
      assert.deepEqual(ok, {
        valid: true,
        messageId: requestMessageId,
        requestId,
        number: (await getRequest(ru.ctx, officer, requestId)).number,
      });
      const answer = await verifyPaperOriginal(ru.ctx, officer, {
        payload: qrPayload({ messageId: answerMessageId, documentSha256: sha256Hex(answerJws) }),
      });
      assert.equal(answer.valid, true);
      assert.equal(answer.requestId, requestId);

      const changed = await verifyPaperOriginal(ru.ctx, officer, {
        payload: qrPayload({ messageId: requestMessageId, documentSha256: sha256Hex(requestJws + 'x') }),
      });
      assert.deepEqual([changed.valid, changed.reason, changed.requestId], [false, 'hash_mismatch', requestId]);

      const unknown = await verifyPaperOriginal(ru.ctx, officer, {
        payload: qrPayload({ messageId: randomUUID(), documentSha256: sha256Hex(requestJws) }),
      });
      assert.deepEqual(unknown, {
        valid: false,
        messageId: unknown.messageId,
        requestId: null,
        number: null,
        reason: 'unknown',
      });
      // An officer of another body cannot learn that the message exists.
      const hidden = await verifyPaperOriginal(ru.ctx, stranger, {
        payload: qrPayload({ messageId: requestMessageId, documentSha256: sha256Hex(requestJws) }),
      });
      assert.deepEqual([hidden.valid, hidden.reason, hidden.requestId], [false, 'unknown', null]);

      await rejects(verifyPaperOriginal(ru.ctx, officer, { payload: 'EIX1|garbage' }), 'input.invalid', 'payload');
      await rejects(
        verifyPaperOriginal(ru.ctx, officer, { payload: undefined as unknown as string }),
        'input.invalid',
        'payload',
      );
      const audited = await ru.ctx.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'paper_original.verified')
        .execute();
      assert.equal(audited.length, 3);
    });

    test('issue 14, item 8: the short code printed next to the QR verifies the original; a mistyped code is a clear Russian error; an unknown code is not confirmed', async () => {
      const view = await getRequest(ru.ctx, officer, requestId);
      const seal = await sealFor(ru.ctx, view); // printing stores the code it prints
      const code = seal!.shortCode!;
      const byCode = await verifyPaperOriginal(ru.ctx, officer, { payload: code });
      assert.deepEqual(byCode, { valid: true, messageId: requestMessageId, requestId, number: view.number });
      // Typed as people type: lower case, spaces instead of dashes, O for 0, I/L for 1.
      const typed = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l');
      assert.equal((await verifyPaperOriginal(ru.ctx, officer, { payload: ` ${typed} ` })).valid, true);
      // The answer's code too (printed from the received answer).
      const answerCode = (await sealFor(ru.ctx, view, 'answer'))!.shortCode!;
      assert.notEqual(answerCode, code);
      assert.equal((await verifyPaperOriginal(ru.ctx, officer, { payload: answerCode })).valid, true);

      // One character mistyped: the check character tells a typo from an unknown document.
      const raw = code.replaceAll('-', '');
      const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
      const other = alphabet[(alphabet.indexOf(raw[5]!) + 7) % 32]!;
      const mistyped = raw.slice(0, 5) + other + raw.slice(6);
      await assert.rejects(
        verifyPaperOriginal(ru.ctx, officer, { payload: mistyped }),
        (e: unknown) =>
          e instanceof EixError &&
          e.code === 'input.invalid' &&
          e.data.field === 'payload' &&
          /^Код проверки введён с ошибкой/.test(e.message),
      );
      // Two neighbours swapped.
      const swapped = raw.slice(0, 2) + raw[3] + raw[2] + raw.slice(4);
      if (swapped !== raw)
        await rejects(verifyPaperOriginal(ru.ctx, officer, { payload: swapped }), 'input.invalid', 'payload');
      // Not a code at all: says what to type.
      await assert.rejects(
        verifyPaperOriginal(ru.ctx, officer, { payload: 'ABC-123' }),
        (e: unknown) => e instanceof EixError && e.code === 'input.invalid' && /12 знаков/.test(e.message),
      );
      // Well formed, but never printed by this node: not confirmed.
      const unknownCode = paperShortCode(sha256Hex('another document'));
      assert.deepEqual(await verifyPaperOriginal(ru.ctx, officer, { payload: unknownCode }), {
        valid: false,
        messageId: '',
        requestId: null,
        number: null,
        reason: 'unknown',
      });
      // An officer of another body learns nothing from a code either.
      const hidden = await verifyPaperOriginal(ru.ctx, stranger, { payload: code });
      assert.deepEqual([hidden.valid, hidden.reason, hidden.requestId], [false, 'unknown', null]);
    });

    test('the form renders from a hand-made view as well (incoming request, no answers yet)', async () => {
      const view = await getRequest(ru.ctx, officer, requestId);
      const incoming = {
        ...view,
        direction: 'incoming' as const,
        answers: [],
        document: {
          ...view.document,
          debtor: {
            type: 'legal_entity' as const,
            name: 'ТОО «Должник»',
            ids: [{ country: 'KZ', kind: 'BIN', value: '123456789012' }],
          },
        },
      };
      const seal: PdfSeal = {
        messageId: randomUUID(),
        documentSha256: 'cd'.repeat(32),
        signedAt: '2026-11-26T06:05:00Z',
        officer: { name: 'Иванова Мария', position: 'пристав' },
        bodyName: 'Орган',
      };
      const { text } = await pdfText(await renderAnswerPdf(incoming, seal));
      assert.ok(text.includes('Ответ ещё не дан.'));
      assert.ok(text.includes('ТОО «Должник»'));
      const req = await pdfText(await renderRequestPdf(incoming, seal));
      assert.ok(req.text.includes('123456789012'));
      assert.ok(!req.text.includes('Отпечаток сертификата'));
    });
  });
}

test('eix pdf: coded errors name the option or argument; an unknown QR is reported as not confirmed', async () => {
  const tmp = await mkdtemp(path.join(tmpdir(), 'eix-pdf-cli-'));
  try {
    const home = path.join(tmp, 'node');
    const eix = async (argv: string[]) => {
      let out = '';
      const code = await runCli(argv, {
        io: {
          out: (t) => {
            out += t;
          },
          err: (t) => {
            out += t;
          },
        },
        clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
        config: readConfig({ EIX_HOME: home }),
      });
      return {
        code,
        out,
        json: argv.includes('--json')
          ? (JSON.parse(out) as {
              error?: { code: string; details: { field?: string } };
              valid?: boolean;
              reason?: string;
            })
          : {},
      };
    };
    assert.equal((await eix(['node', 'init', '--party', 'RU', '--json'])).code, 0);
    assert.equal(
      (
        await eix([
          'body',
          'add',
          '--id',
          'ru-fssp-77',
          '--name',
          'ГУФССП России по г. Москве',
          '--kind',
          'territorial',
          '--json',
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await eix([
          'user',
          'add',
          '--body',
          'ru-fssp-77',
          '--login',
          'petrova',
          '--full-name',
          'Петрова Анна Сергеевна',
          '--position',
          'пристав',
          '--roles',
          'officer',
          '--json',
        ])
      ).code,
      0,
    );
    const bad = await eix(['pdf', 'verify', 'EIX1|bad', '--login', 'petrova', '--json']);
    assert.deepEqual(
      [bad.code, bad.json.error?.code, bad.json.error?.details.field],
      [2, 'input.invalid', '<payload>'],
    );
    const who = await eix([
      'pdf',
      'request',
      randomUUID(),
      '--login',
      'nobody',
      '--out',
      path.join(tmp, 'r.pdf'),
      '--json',
    ]);
    assert.deepEqual(
      [who.code, who.json.error?.code, who.json.error?.details.field],
      [2, 'officer.not_found', '--login'],
    );
    const missing = await eix([
      'pdf',
      'request',
      randomUUID(),
      '--login',
      'petrova',
      '--out',
      path.join(tmp, 'r.pdf'),
      '--json',
    ]);
    assert.deepEqual(
      [missing.code, missing.json.error?.code, missing.json.error?.details.field],
      [2, 'request.not_found', '<requestId>'],
    );
    const noOut = await eix(['pdf', 'answer', randomUUID(), '--login', 'petrova', '--json']);
    assert.deepEqual([noOut.code, noOut.json.error?.code], [2, 'input.invalid']);
    const unknown = await eix([
      'pdf',
      'verify',
      qrPayload({ messageId: randomUUID(), documentSha256: 'ab'.repeat(32) }),
      '--login',
      'petrova',
      '--json',
    ]);
    assert.deepEqual([unknown.code, unknown.json.valid, unknown.json.reason], [0, false, 'unknown']);
    const human = await eix([
      'pdf',
      'verify',
      qrPayload({ messageId: randomUUID(), documentSha256: 'ab'.repeat(32) }),
      '--login',
      'petrova',
    ]);
    assert.match(human.out, /Подлинник НЕ подтверждён/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
