// Issue 15.6 in a real Chromium: a central body's officer opens «Статистика» after two seeded months of traffic,
// sees both charts drawn (chart.js served by the node, under the strict CSP), reads plain Russian, the page is
// accessible (labels, 390 px, keyboard), a wrong filter is shown next to its field, and the XLSX file he downloads
// holds the figures the database holds (rows read here with plain SQL, working days from the calendars).
// An officer without the role has no menu entry and is refused the page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { buildServer } from '../../src/adapters/http/server.js';
import type { Officer } from '../../src/app/context.js';
import { workingDaysBetween } from '../../src/domain/calendar.js';
import { monthRu } from '../../src/domain/statistics.js';
import { partyName } from '../../src/domain/vocabulary.js';
import { nodeOn, seedOfficer, type TestNode } from '../support/app.js';
import { browserSkip, checkAccessible, launchBrowser, readPlainRussian } from '../support/browser.js';
import { ENGINES } from '../support/db.js';
import { percentile, seedTraffic, TRAFFIC_BODIES } from '../support/statistics-traffic.js';

const PASSWORD = 'statistics-correct-horse-battery';

describe('issue 15.6: the statistics page in Chromium', { skip: browserSkip }, () => {
  let ru: TestNode;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let central: Officer;
  let officer: Officer;

  before(async () => {
    ru = nodeOn(await ENGINES[0]!.open(), 'RU');
    const traffic = await seedTraffic(ru);
    central = await seedOfficer(ru.ctx, TRAFFIC_BODIES.central.id, ['central']);
    officer = traffic.officers.moscow;
    for (const o of [central, officer])
      await ru.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', o.officerId)
        .execute();
    app = await buildServer({ ctx: ru.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await ru?.database.close();
  });

  async function signIn(o: Officer): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
      timezoneId: 'Europe/Moscow',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Имя пользователя').fill(o.login);
    await page.getByLabel('Пароль').fill(PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/$/);
    return page;
  }

  test('charts visible and legible, plain Russian, accessible; the XLSX figures equal the database', async () => {
    const page = await signIn(central);
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 404/.test(m.text())) blocked.push(m.text());
    });
    // Every asset the page asks for is served (the browser's own favicon request aside).
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) blocked.push(`${r.status()} ${r.url()}`);
    });
    await page.getByRole('link', { name: 'Статистика' }).click();
    await page.waitForURL(/\/statistics$/);
    // The period of the seeded traffic, chosen in the form (kept in the URL).
    await page.getByLabel('Период с (месяц)').fill('2026-09');
    await page.getByLabel('по (месяц)').fill('2026-10');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(/from=2026-09&to=2026-10/);
    // Both charts were drawn by chart.js (a Chart instance per canvas, pixels on it).
    await page.waitForFunction(() => {
      const w = window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } };
      return ['chart-volume', 'chart-turnaround'].every((id) =>
        Boolean(w.Chart?.getChart(document.getElementById(id) as HTMLCanvasElement)),
      );
    });
    const inked = await page.evaluate(() =>
      ['chart-volume', 'chart-turnaround'].map((id) => {
        const c = document.getElementById(id) as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return { id, width: c.width, height: c.height, inked: n };
      }),
    );
    for (const c of inked) assert.ok(c.width > 200 && c.height > 150 && c.inked > 2000, JSON.stringify(c));
    assert.deepEqual(blocked, [], 'no script or style refused by the CSP');
    const text = await readPlainRussian(page, 'statistics');
    assert.match(text, /Запросы по месяцам/);
    assert.match(text, /Срок исполнения, рабочие дни/);
    assert.match(text, /Чего чаще всего не хватало/);
    assert.match(text, /«Резолютивная часть акта»: не указано/);
    await checkAccessible(page, 'statistics', { keyboard: true });

    // The XLSX file with the same filters, checked against the database.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-xlsx').click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await download.path());
    const sheet = book.getWorksheet('По месяцам и органам')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const col = (name: string) => header.indexOf(name);
    const rows = [];
    for (let i = 2; i <= sheet.rowCount; i++) {
      const v = (sheet.getRow(i).values as unknown[]).slice(1);
      if (v.length > 1) rows.push(v);
    }
    const db = await ru.ctx.db
      .selectFrom('requests')
      .innerJoin('bodies', 'bodies.id', 'requests.body_id')
      .select([
        'requests.direction',
        'requests.counterpart_party',
        'bodies.name',
        'requests.state',
        'requests.received_on',
        'requests.deadline',
        'requests.responded_on',
      ])
      .where('requests.received_on', 'is not', null)
      .execute();
    const calendars = new Map([
      ['RU', await ru.ctx.calendar('RU')],
      ['KZ', await ru.ctx.calendar('KZ')],
      ['BY', await ru.ctx.calendar('BY')],
    ]);
    const groups = new Map<string, typeof db>();
    for (const r of db) {
      const key = [
        monthRu(r.received_on!.slice(0, 7)),
        r.direction === 'incoming' ? 'Входящие (получены от другой Стороны)' : 'Исходящие (направлены другой Стороне)',
        partyName(r.counterpart_party),
        r.name,
      ].join('|');
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    assert.equal(rows.length, groups.size, 'one row per month, direction, Party and body');
    for (const v of rows) {
      const key = v.slice(0, 4).join('|');
      const g = groups.get(key);
      assert.ok(g, `no such group in the database: ${key}`);
      const turnaround = g
        .filter((r) => r.responded_on)
        .map((r) =>
          workingDaysBetween(
            calendars.get(r.direction === 'incoming' ? 'RU' : r.counterpart_party)!,
            r.received_on!,
            r.responded_on!,
          ),
        );
      const expected: Record<string, number | null> = {
        Запросов: g.length,
        'Исполнено (окончательный ответ)': g.filter((r) => r.state === 'answered').length,
        'Из них в срок': g.filter((r) => r.state === 'answered' && r.responded_on! <= r.deadline!).length,
        Отказано: g.filter((r) => r.state === 'refused').length,
        Отозвано: g.filter((r) => r.state === 'withdrawn').length,
        'Медиана срока исполнения, раб. дн.': percentile(turnaround, 0.5),
        '90-й процентиль срока исполнения, раб. дн.': percentile(turnaround, 0.9),
      };
      for (const [name, want] of Object.entries(expected)) {
        const got = v[col(name)];
        assert.equal(got === undefined || got === null ? null : Number(got), want, `${key}: ${name}`);
      }
    }
    assert.ok(book.getWorksheet('Причины неполноты')!.rowCount > 1, 'the reasons sheet is filled');
    await page.context().close();
  });

  test('a wrong filter is shown next to its field with a 400; an officer has no menu entry and is refused', async () => {
    const page = await signIn(central);
    const res = await page.goto(`${base}/statistics?from=2026-10&to=2026-02`);
    assert.equal(res!.status(), 400);
    const error = page.locator('#e-to');
    assert.match(await error.innerText(), /раньше поля «период с»/);
    assert.equal(await page.getByLabel('по (месяц)').getAttribute('aria-invalid'), 'true');
    await readPlainRussian(page, 'statistics-error');
    await page.context().close();

    const plain = await signIn(officer);
    assert.equal(await plain.getByRole('link', { name: 'Статистика' }).count(), 0);
    const refused = await plain.goto(`${base}/statistics`);
    assert.equal(refused!.status(), 403);
    await plain.context().close();
  });
});
