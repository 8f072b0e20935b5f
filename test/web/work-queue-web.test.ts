// Issue 14 item 1 in the officer UI: the queue shows the debtor and what was asked, counters open their lists, the
// archive filters (kept in the URL), sorts, pages by cursor and exports; a wrong filter is shown next to its field.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { buildServer } from '../../src/adapters/http/server.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { TestClock, nodeOn, seedBody, seedOfficer, type TestNode, webSignIn } from '../support/app.js';
import { plainRussianReport } from '../support/plain-russian.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const ROWS = 53;

describe('issue 14.1: the work queue and the archive in the officer UI', () => {
  let kz: TestNode;
  let app: FastifyInstance;
  let base: string;
  let officer: Officer;
  let cookie: { cookie: string };

  before(async () => {
    kz = nodeOn(await ENGINES[0]!.open(), 'KZ', new TestClock(Date.parse('2026-11-26T09:00:00+03:00')));
    await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
    officer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
    for (let n = 0; n < ROWS; n++)
      await receiveRequest(kz.ctx, SYSTEM, {
        messageId: `queue-web-${n}-000`,
        fromBody: RU_BODY,
        toBodyId: 'kz-central',
        receivedAt: '2026-11-26T10:00:00+05:00',
        document: aRequest((r) => {
          r.number = `77001/26/0${3000 + n}`;
          if (n === 0 && r.debtor?.type === 'individual') r.debtor.surname = 'Сидоров';
        }),
      });
    app = await buildServer({ ctx: kz.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    ({ cookie } = await webSignIn(kz.ctx, base, officer));
  });
  after(async () => {
    await app?.close();
    await kz?.database.close();
  });

  const get = async (path: string, status = 200) => {
    const res = await fetch(`${base}${path}`, { headers: cookie, redirect: 'manual' });
    assert.equal(res.status, status, path);
    return res;
  };
  const text = (html: string) =>
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&[a-z#0-9]+;/g, ' ');
  const rows = (html: string) => (html.match(/<tr class="status-/g) ?? []).length;

  test('the start page: debtor, what was asked, the deadline ДД.ММ.ГГГГ, counters that open their lists', async () => {
    const html = await (await get('/')).text();
    // The first 50 of 53 by deadline (all the same here, then by id: which 50 is chance), each with its debtor.
    assert.equal(rows(html), 50);
    assert.equal((text(html).match(/Иванов Иван Иванович|Сидоров/g) ?? []).length, 50);
    assert.match(html, /Место работы и доходы|Имущество должника/);
    assert.doesNotMatch(text(html), /\d{4}-\d{2}-\d{2}/);
    const open = /<a class="counter open" href="([^"]+)"[^>]*>[^<]*<b>(\d+)<\/b>/.exec(html);
    assert.ok(open, 'the «в работе» counter is a link');
    assert.equal(open[2], String(ROWS));
    const list = await (await get(open[1]!.replaceAll('&amp;', '&'))).text();
    assert.match(list, new RegExp(`Найдено: <b>${ROWS}</b>`));
    assert.equal(plainRussianReport('archive', text(list)), null);
  });

  test('the archive pages by cursor without losing or repeating a row; a search finds the debtor', async () => {
    const first = await (await get('/requests?direction=incoming&sort=number&order=asc')).text();
    assert.equal(rows(first), 50);
    const next = /<a rel="next" href="([^"]+)"/.exec(first)![1]!.replaceAll('&amp;', '&');
    const second = await (await get(next)).text();
    assert.equal(rows(second), ROWS - 50);
    const numbers = (h: string) => [...h.matchAll(/>(77001\/26\/0\d+)</g)].map((m) => m[1]);
    assert.equal(new Set([...numbers(first), ...numbers(second)]).size, ROWS);
    const found = await (await get(`/requests?q=${encodeURIComponent('Сидоров')}`)).text();
    assert.equal(rows(found), 1);
  });

  test('a wrong period is shown next to its field with the filters kept (no error page)', async () => {
    const res = await get('/requests?direction=incoming&from=2026-12-01&to=2026-11-01&party=RU', 400);
    const html = await res.text();
    assert.match(html, /id="e-to"[^>]*>[^<]*раньше/);
    assert.match(html, /value="2026-12-01"/);
    assert.match(html, /<option value="RU" selected>/);
  });

  test('the list exports to CSV (Russian headers, dates ДД.ММ.ГГГГ) and XLSX', async () => {
    const csv = await get('/requests/export?direction=incoming&format=csv');
    assert.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''/);
    const table = parse((await csv.text()).replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][];
    assert.equal(table.length, ROWS + 1);
    assert.match(table[0]!.join(' '), /Должник/);
    assert.ok(table.slice(1).every((r) => r.every((c) => !/\d{4}-\d{2}-\d{2}/.test(c))));
    const xlsx = await get('/requests/export?direction=incoming&format=xlsx');
    assert.equal(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
      'PK',
    );
  });
});
