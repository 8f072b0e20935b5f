// Batch requests on the officer's pages and the API (issue 16.1): the template (CSV, XLSX with its sheet of
// explanations), the upload of a CSV and an XLSX file, a bad file refused with the problem named, the batch page
// polled by htmx while it runs, the report by row and column in Russian, its CSV; the API's 202 and progress.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { runBatch } from '../../src/app/batch-requests.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import type { Officer } from '../../src/app/context.js';
import { BATCH_COLUMNS, exampleCells } from '../../src/domain/batch.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, uniq, webSignIn, type TestNode } from '../support/app.js';
import { aRequest } from '../support/requests.js';

function multipart(fields: [string, string][], file?: { name: string; type: string; content: Buffer }) {
  const boundary = '----eixtest' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = fields.map(([k, v]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
  );
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

const rowsOf = (prefix: string) => {
  const ex = exampleCells();
  const rows = [
    { ...ex, proceedingNumber: `${prefix}-1` },
    { ...ex, proceedingNumber: `${prefix}-2`, debtorIdValue: '500100732250' },
    { ...ex, proceedingNumber: `${prefix}-3` },
  ];
  return [
    BATCH_COLUMNS.map((c) => c.header),
    ...rows.map((r) => BATCH_COLUMNS.map((c) => r[c.key as keyof typeof r] ?? '')),
  ];
};

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

for (const e of ENGINES) {
  describe(`batch requests on the officer's pages and the API on ${e.engine}`, () => {
    let ru: TestNode;
    let officer: Officer;
    let app: FastifyInstance;
    let base: string;
    let cookie: { cookie: string };

    before(async () => {
      ru = nodeOn(await e.open(), 'RU');
      const body = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, body);
      app = await buildServer({ ctx: ru.ctx, logLevel: 'silent', rateLimit: 100_000 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
      ({ cookie } = await webSignIn(ru.ctx, base, officer));
    });
    after(async () => {
      await app?.close();
      await ru?.database.close();
    });

    const get = async (url: string) => {
      const res = await fetch(`${base}${url}`, { redirect: 'manual', headers: cookie });
      return {
        status: res.status,
        res,
        html: res.headers.get('content-type')?.startsWith('text/html') ? await res.text() : '',
      };
    };
    const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await get('/requests/batch')).html)![1]!;
    const upload = async (file?: { name: string; type: string; content: Buffer }, destination = 'KZ|kz-central') => {
      const m = multipart(
        [
          ['_csrf', await csrf()],
          ['destination', destination],
        ],
        file,
      );
      return fetch(`${base}/requests/batch`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...cookie, 'content-type': m.type },
        body: m.body,
      });
    };

    test('the template: CSV with the Russian headers and an example row; XLSX with a sheet explaining every column', async () => {
      const page = await get('/requests/batch');
      assert.equal(page.status, 200);
      assert.match(page.html, /href="\/requests\/batch\/template\.xlsx"/);
      const c = await get('/requests/batch/template.csv');
      assert.equal(c.status, 200);
      const csv = (await c.res.text()).replace(/^\ufeff/, '').split('\r\n');
      assert.equal(csv[0], BATCH_COLUMNS.map((x) => x.header).join(';'));
      assert.match(csv[1]!, /Иванов/);
      const x = await fetch(`${base}/requests/batch/template.xlsx`, { headers: cookie });
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(Buffer.from(await x.arrayBuffer()) as unknown as ArrayBuffer);
      assert.deepEqual(
        book.worksheets.map((w) => w.name),
        ['Запросы', 'Пояснения'],
      );
      const help = book.getWorksheet('Пояснения')!;
      const explained = new Set<string>();
      help.eachRow((r) => explained.add(String(r.getCell(1).value)));
      for (const col of BATCH_COLUMNS) assert.ok(explained.has(col.header), col.header);
    });

    test('a CSV upload: the batch page polls while it runs, then shows the report by row and column and its CSV', async () => {
      const file = Buffer.from('\ufeff' + stringify(rowsOf(uniq('ВЕБ')), { delimiter: ';' }));
      const res = await upload({ name: 'должники.csv', type: 'text/csv', content: file });
      assert.equal(res.status, 302, await res.text());
      const url = res.headers.get('location')!;
      const id = url.split('/').pop()!;
      const queued = await get(url);
      assert.match(queued.html, /hx-get="\/requests\/batch\/[0-9a-f-]+\/progress" hx-trigger="every 2s"/);
      assert.match(text(queued.html), /ожидает обработки/);
      await runBatch(ru.ctx, id, { runner: 'test' });
      const frag = await get(`${url}/progress`);
      assert.doesNotMatch(frag.html, /<nav/); // a fragment, no layout
      assert.doesNotMatch(frag.html, /hx-trigger/); // finished: no more polling
      const t = text(frag.html);
      assert.match(t, /Создано, подписано и поставлено в очередь отправки 2/);
      assert.match(t, /Строк с ошибками \(не созданы\) 1/);
      assert.match(t, /3 Должник: номер ИНН \(должник\): ИНН: неверное контрольное число/);
      const report = await get(`${url}/report.csv`);
      const lines = (await report.res.text())
        .replace(/^\ufeff/, '')
        .trim()
        .split('\r\n');
      assert.deepEqual(lines[0], 'Строка;Столбец;Ошибка');
      assert.match(lines[1]!, /^3;Должник: номер;ИНН \(должник\): ИНН: неверное контрольное число/);
    });

    test('an XLSX upload is read like the CSV (dates typed as dates in Excel)', async () => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('Запросы');
      const rows = rowsOf(uniq('XL'));
      sheet.addRow(rows[0]!);
      const dateCol = BATCH_COLUMNS.findIndex((c) => c.key === 'docDate');
      for (const r of rows.slice(1)) {
        const row = sheet.addRow(r);
        row.getCell(dateCol + 1).value = new Date(Date.UTC(2026, 1, 10));
      }
      const res = await upload({
        name: 'должники.xlsx',
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        content: Buffer.from(await book.xlsx.writeBuffer()),
      });
      assert.equal(res.status, 302);
      const id = res.headers.get('location')!.split('/').pop()!;
      const end = await runBatch(ru.ctx, id, { runner: 'test' });
      assert.deepEqual([end.created, end.failed], [2, 1]);
    });

    test('a bad file is refused whole, naming the problem; nothing is stored', async () => {
      const before = await ru.ctx.db.selectFrom('batches').select('id').execute();
      const headerless = await upload({
        name: 'список.csv',
        type: 'text/csv',
        content: Buffer.from('ФИО;Адрес\nИванов;Москва\n'),
      });
      assert.equal(headerless.status, 400);
      const t = text(await headerless.text());
      assert.match(t, /не соответствует шаблону: неизвестные столбцы: «ФИО», «Адрес»/);
      assert.match(t, /нет обязательных столбцов: «Номер исполнительного производства»/);
      const fake = await upload({
        name: 'список.xlsx',
        type: 'application/octet-stream',
        content: Buffer.from('not a zip'),
      });
      assert.equal(fake.status, 400);
      assert.match(text(await fake.text()), /назван как XLSX, но не является книгой Excel/);
      const none = await upload(undefined);
      assert.match(text(await none.text()), /Выберите файл CSV или XLSX/);
      const after = await ru.ctx.db.selectFrom('batches').select('id').execute();
      assert.equal(after.length, before.length);
    });

    test('API: POST /api/v1/requests/batch answers 202 with the batch to poll; GET gives progress and the report', async () => {
      const { token } = await createApiToken(ru.ctx, officer, { name: 'учётная система' });
      const ex = aRequest();
      const row = {
        proceeding: { number: uniq('API'), openedOn: '2026-03-02' },
        debtor: ex.debtor,
        creditor: ex.creditor,
        executiveDocument: ex.executiveDocument,
        items: ex.items,
        grounds: ex.grounds,
      };
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const res = await fetch(`${base}/api/v1/requests/batch`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ requestedBody: { party: 'KZ' }, rows: [row, { ...row, grounds: '' }] }),
      });
      assert.equal(res.status, 202);
      const r = (await res.json()) as { id: string; total: number; url: string };
      assert.equal(r.total, 2);
      await runBatch(ru.ctx, r.id, { runner: 'test' });
      const p = (await (await fetch(`${base}${r.url}`, { headers: auth })).json()) as {
        state: string;
        created: number;
        problems: { row: number; field: string; path: string; message: string }[];
      };
      assert.equal(p.state, 'done');
      assert.equal(p.created, 1);
      assert.deepEqual(
        p.problems.map((x) => [x.row, x.path, x.field]),
        [[2, 'grounds', 'Содержание запроса и обстоятельства']],
      );
      const empty = await fetch(`${base}/api/v1/requests/batch`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ requestedBody: { party: 'KZ' }, rows: [] }),
      });
      assert.equal(empty.status, 400);
      assert.equal(((await empty.json()) as { error: { code: string } }).error.code, 'batch.empty');
    });
  });
}
