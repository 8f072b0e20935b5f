// Issue 13, item 6 "Attachments" (ASVS 4.0.3 V1.12.2, V12.1.1, V12.2.1,
// V12.3.4, V12.5.2, V14.4.x): only allowlisted document types whose content (magic bytes,
// `file-type`) matches the declared type and the name are accepted, on the web
// answer form and on the REST API alike (the rule lives in the answer use
// case); a refused file refuses the whole answer and stores nothing; downloads
// are attachments with a sandbox CSP and nosniff, and anything not (or no
// longer) on the allowlist is served as application/octet-stream.
// Receipt from another Party: test/federation/attachments.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { checkAttachments } from '../../src/app/check-attachments.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { EixError } from '../../src/domain/errors.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { rejects } from '../support/errors.js';
import * as files from '../support/files.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const PASSWORD = 'correct-horse-battery-staple';
const CYRILLIC = /[а-яё]/i;
const ALLOWED = /PDF.*PNG.*JPEG.*TIFF.*DOCX.*XLSX.*ODT.*ODS.*TXT/;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The hostile uploads of issue 13 and the code each must be refused with. */
const HOSTILE: readonly { what: string; file: ReturnType<typeof files.attachment>; code: string }[] = [
  {
    what: 'HTML declared text/html',
    file: files.attachment('page.html', 'text/html', files.HTML),
    code: 'attachment.type',
  },
  {
    what: 'JavaScript declared text/javascript',
    file: files.attachment('script.js', 'text/javascript', files.JAVASCRIPT),
    code: 'attachment.type',
  },
  {
    what: 'HTML disguised as application/pdf',
    file: files.attachment('справка.pdf', 'application/pdf', files.HTML),
    code: 'attachment.content',
  },
  {
    what: 'JavaScript disguised as application/pdf',
    file: files.attachment('справка.pdf', 'application/pdf', files.JAVASCRIPT),
    code: 'attachment.content',
  },
  {
    what: 'HTML disguised as text/plain',
    file: files.attachment('справка.txt', 'text/plain', files.HTML),
    code: 'attachment.content',
  },
  {
    what: 'a PNG declared application/pdf',
    file: files.attachment('скан.pdf', 'application/pdf', files.png()),
    code: 'attachment.content',
  },
  {
    what: 'a PNG named .pdf (declared image/png)',
    file: files.attachment('скан.pdf', 'image/png', files.png()),
    code: 'attachment.type',
  },
  {
    what: 'a ZIP that is no office document, declared as DOCX',
    file: files.attachment('справка.docx', DOCX, files.plainZip()),
    code: 'attachment.content',
  },
  {
    what: 'a ZIP declared application/zip',
    file: files.attachment('архив.zip', 'application/zip', files.plainZip()),
    code: 'attachment.type',
  },
  {
    what: 'a macro-enabled Word document (DOCM) declared as DOCX',
    file: files.attachment('справка.docx', DOCX, files.docm()),
    code: 'attachment.content',
  },
];

const ACCEPTED = [
  files.attachment('справка.pdf', 'application/pdf', files.pdf()),
  files.attachment('скан.png', 'image/png', files.png()),
  files.attachment('справка.docx', DOCX, files.docx()),
  files.attachment('фото.JPG', 'image/jpeg', files.jpeg()),
  files.attachment('скан.tiff', 'image/tiff', files.tiff()),
  files.attachment('справка.odt', 'application/vnd.oasis.opendocument.text', files.odt()),
  files.attachment('справка.txt', 'text/plain', files.TEXT),
];

describe('the attachment rule on files as they arrive (checkAttachments, no storage)', () => {
  const ctx = { limits: { attachmentBytes: 1024 * 1024 } } as AppContext;
  const field = (i: number, j: number) => `items[${i}].attachments[${j}]`;

  test('issue 13 item 6, V12.2.1: real PDF, PNG, DOCX, JPEG, TIFF, ODT and TXT files are accepted with their canonical type', async () => {
    const [checked] = await checkAttachments(ctx, [{ attachments: ACCEPTED }], field);
    assert.deepEqual(
      checked!.map((f) => f.mediaType),
      [
        'application/pdf',
        'image/png',
        DOCX,
        'image/jpeg',
        'image/tiff',
        'application/vnd.oasis.opendocument.text',
        'text/plain',
      ],
    );
  });

  for (const h of HOSTILE)
    test(`issue 13 item 6, V12.2.1: ${h.what} is refused (${h.code}) with a Russian message naming the file and the allowed types`, async () => {
      const err = await rejects(
        checkAttachments(ctx, [{ attachments: [ACCEPTED[0]!] }, { attachments: [ACCEPTED[1]!, h.file] }], field),
        h.code,
        'items[1].attachments[1]',
      );
      assert.ok(err.message.includes(`«${h.file.fileName}»`), err.message);
      assert.match(err.message, CYRILLIC);
      assert.match(err.message, ALLOWED);
    });

  test('issue 13 item 2, V12.1.1: a file over the per-file limit is refused before it is decoded', async () => {
    const big = files.attachment('скан.pdf', 'application/pdf', Buffer.alloc(1024 * 1024 + 1, 0x25));
    const err = await rejects(checkAttachments(ctx, [{ attachments: [big] }], field), 'attachment.too_large');
    assert.ok(err.message.includes('«скан.pdf»'));
  });
});

for (const e of ENGINES) {
  describe(`attachments through the web form and the REST API on ${e.engine}`, () => {
    let kz: TestNode;
    let officer: Officer;
    let app: FastifyInstance;
    let cookie = '';
    let csrf = '';
    let token = '';
    let requestId = '';

    before(async () => {
      kz = nodeOn(await e.open(), 'KZ');
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      officer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      await kz.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', officer.officerId)
        .execute();
      const r = await receiveRequest(kz.ctx, SYSTEM, {
        messageId: randomUUID(),
        fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
        toBodyId: 'kz-central',
        receivedAt: '2026-11-26T10:00:00+05:00',
        document: aRequest(),
      });
      requestId = r.id;
      await actOnRequest(kz.ctx, officer, { requestId, step: 'take_into_work' });
      token = (await createApiToken(kz.ctx, officer, { name: 'attachments' })).token;
      app = await buildServer({ ctx: kz.ctx, logLevel: 'silent', rateLimit: 100_000 });
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
      const page = await app.inject({ method: 'GET', url: `/requests/${requestId}/answer`, headers: { cookie } });
      assert.equal(page.statusCode, 200, page.body.slice(0, 300));
      csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    });
    after(async () => {
      await app?.close();
      await kz?.database.close();
    });

    const stored = async () => {
      const count = async (t: 'answers' | 'attachments' | 'answer_attachments' | 'outbox') =>
        Number(
          (
            await kz.ctx.db
              .selectFrom(t)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const row = await kz.ctx.db
        .selectFrom('requests')
        .select(['state', 'version'])
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      return {
        ...row,
        answers: await count('answers'),
        attachments: await count('attachments'),
        links: await count('answer_attachments'),
        outbox: await count('outbox'),
      };
    };

    const apiAnswer = (attachments: readonly ReturnType<typeof files.attachment>[]) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/requests/${requestId}/answers`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: { final: false, items: [{ itemNo: 1, outcome: 'found', attachments }] },
      });

    const webAnswer = async (file: { fileName: string; mediaType: string; content: Buffer }) => {
      const v = await kz.ctx.db
        .selectFrom('requests')
        .select('version')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      const form = new FormData();
      form.append('_csrf', csrf);
      form.append('version', String(v.version));
      form.append('outcome_1', 'found');
      form.append('file_1', new Blob([new Uint8Array(file.content)], { type: file.mediaType }), file.fileName);
      // As a browser sends it: a multipart body with its length (uploads without one are refused, 411).
      const encoded = new Response(form);
      return app.inject({
        method: 'POST',
        url: `/requests/${requestId}/answer`,
        headers: { cookie, 'content-type': encoded.headers.get('content-type')! },
        payload: Buffer.from(await encoded.arrayBuffer()),
      });
    };

    for (const h of HOSTILE.slice(0, 6))
      test(`issue 13 item 6, V12.2.1: ${h.what} is refused by the REST API (415 ${h.code}, Russian message), nothing stored`, async () => {
        const before = await stored();
        const res = await apiAnswer([files.attachment('справка.pdf', 'application/pdf', files.pdf()), h.file]);
        assert.equal(res.statusCode, 415, res.body);
        const body = res.json() as { error: { code: string; message: string; details: { field: string } } };
        assert.equal(body.error.code, h.code);
        assert.equal(body.error.details.field, 'items[0].attachments[1]');
        assert.ok(body.error.message.includes(`«${h.file.fileName}»`), body.error.message);
        assert.match(body.error.message, ALLOWED);
        assert.deepEqual(await stored(), before);
      });

    for (const h of HOSTILE.slice(0, 6))
      test(`issue 13 item 6, V12.2.1: ${h.what} is refused by the web answer form (415, the form again with the error in Russian naming the file), nothing stored`, async () => {
        const before = await stored();
        const res = await webAnswer({
          fileName: h.file.fileName,
          mediaType: h.file.mediaType,
          content: Buffer.from(h.file.contentBase64, 'base64'),
        });
        assert.equal(res.statusCode, 415, res.body.slice(0, 500));
        // Issue 14: the answer form again with the error in place (no code on the page), files to be chosen again.
        assert.match(res.body, /id="answer-errors"[\s\S]*Ответ не направлен\./);
        assert.ok(!res.body.includes(h.code), 'no code on the page');
        assert.match(res.body, /нужно выбрать заново/);
        assert.ok(res.body.includes(`«${h.file.fileName}»`), res.body.slice(0, 1500));
        assert.match(res.body, ALLOWED);
        assert.deepEqual(await stored(), before);
      });

    test('issue 13 item 6: a real PDF uploaded through the web form (the browser declaring no type) is accepted', async () => {
      const res = await webAnswer({
        fileName: 'справка.pdf',
        mediaType: 'application/octet-stream',
        content: files.pdf(),
      });
      assert.equal(res.statusCode, 302, res.body.slice(0, 500));
      const row = await kz.ctx.db
        .selectFrom('answer_attachments')
        .innerJoin('attachments', 'attachments.sha256', 'answer_attachments.sha256')
        .select(['attachments.media_type'])
        .where('answer_attachments.file_name', '=', 'справка.pdf')
        .executeTakeFirstOrThrow();
      assert.equal(row.media_type, 'application/pdf');
    });

    /** Answers with real PDF, PNG and DOCX files through the REST API; their SHA-256 by file name. */
    const answerWithAccepted = async (): Promise<Record<string, string>> => {
      const res = await apiAnswer(ACCEPTED.slice(0, 3));
      assert.equal(res.statusCode, 200, res.body);
      const rows = await kz.ctx.db
        .selectFrom('answer_attachments')
        .innerJoin('answers', 'answers.id', 'answer_attachments.answer_id')
        .select(['answer_attachments.file_name', 'answer_attachments.sha256'])
        .where('answers.id', 'in', (res.json() as { answerIds: string[] }).answerIds)
        .execute();
      return Object.fromEntries(rows.map((r) => [r.file_name, r.sha256]));
    };

    test('issue 13 item 6: real PDF, PNG and DOCX files are accepted by the REST API', async () => {
      const shas = await answerWithAccepted();
      assert.deepEqual(Object.keys(shas).sort(), ['скан.png', 'справка.docx', 'справка.pdf']);
    });

    /** The download headers of issue 13 item 6 (V12.5.2, V14.4.1, V14.4.2, V14.4.3). */
    const assertDownloadHeaders = (res: { headers: Record<string, unknown> }, type: string, name: string) => {
      assert.equal(res.headers['content-type'], type);
      const cd = String(res.headers['content-disposition']);
      assert.match(cd, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
      assert.ok(!/[^\x20-\x7e]/.test(cd), `only ASCII in ${cd}`);
      assert.equal(decodeURIComponent(cd.split("filename*=UTF-8''")[1]!), name);
      assert.match(String(res.headers['content-security-policy']), /^sandbox(;|$)/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['cache-control'], 'no-store');
    };

    test('issue 13 item 6, V1.12.2, V12.5.2: downloads (API and web) are attachments with a sandbox CSP, nosniff and the type checked', async () => {
      const shas = await answerWithAccepted();
      for (const [name, type] of [
        ['справка.pdf', 'application/pdf'],
        ['скан.png', 'image/png'],
        ['справка.docx', DOCX],
      ] as const) {
        const api = await app.inject({
          method: 'GET',
          url: `/api/v1/requests/${requestId}/attachments/${shas[name]}`,
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(api.statusCode, 200, api.body);
        assertDownloadHeaders(api, type, name);
        const web = await app.inject({
          method: 'GET',
          url: `/requests/${requestId}/attachments/${shas[name]}`,
          headers: { cookie },
        });
        assert.equal(web.statusCode, 200);
        assertDownloadHeaders(web, type, name);
        assert.deepEqual(web.rawPayload, api.rawPayload);
      }
    });

    test('issue 13 item 6, V1.12.2, V12.5.2: a legacy stored attachment of a type not on the list is served as application/octet-stream, saved as .bin', async () => {
      // As an attachment stored before the allowlist: text/html, as declared then.
      const answerId = (await answerRequest(kz.ctx, officer, {
        requestId,
        final: false,
        items: [{ itemNo: 1, outcome: 'not_found' }],
      }))!.answerIds[0]!;
      const sha = 'ab'.repeat(32);
      await kz.ctx.db
        .insertInto('attachments')
        .values({
          sha256: sha,
          size: files.HTML.length,
          media_type: 'text/html',
          content_enc: kz.ctx.sealer.encrypt(files.HTML, `attachment:${sha}`),
          key_id: kz.ctx.sealer.activeKeyId,
          purged_at: null,
        })
        .execute();
      // …and one declared application/pdf whose content is a script.
      const sha2 = 'cd'.repeat(32);
      await kz.ctx.db
        .insertInto('attachments')
        .values({
          sha256: sha2,
          size: files.JAVASCRIPT.length,
          media_type: 'application/pdf',
          content_enc: kz.ctx.sealer.encrypt(files.JAVASCRIPT, `attachment:${sha2}`),
          key_id: kz.ctx.sealer.activeKeyId,
          purged_at: null,
        })
        .execute();
      await kz.ctx.db
        .insertInto('answer_attachments')
        .values([
          { answer_id: answerId, sha256: sha, file_name: 'page.html' },
          { answer_id: answerId, sha256: sha2, file_name: 'справка.pdf' },
        ])
        .execute();
      for (const [s, name] of [
        [sha, 'page.html.bin'],
        [sha2, 'справка.pdf.bin'],
      ] as const) {
        for (const res of [
          await app.inject({
            method: 'GET',
            url: `/api/v1/requests/${requestId}/attachments/${s}`,
            headers: { authorization: `Bearer ${token}` },
          }),
          await app.inject({ method: 'GET', url: `/requests/${requestId}/attachments/${s}`, headers: { cookie } }),
        ]) {
          assert.equal(res.statusCode, 200, res.body);
          assertDownloadHeaders(res, 'application/octet-stream', name);
        }
      }
    });

    test('issue 13 item 6: the use case refuses a hostile file whatever the entry point (EixError, not stored)', async () => {
      const before = await stored();
      const err = await rejects(
        answerRequest(kz.ctx, officer, {
          requestId,
          final: false,
          items: [{ itemNo: 1, outcome: 'found', attachments: [HOSTILE[0]!.file] }],
        }),
        'attachment.type',
        'items[0].attachments[0]',
      );
      assert.ok(err instanceof EixError);
      assert.deepEqual(await stored(), before);
    });
  });
}
