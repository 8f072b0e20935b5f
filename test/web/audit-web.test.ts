// R9.1, issue 15 item 3: «Журнал действий» — the audit log people can read. Russian actions and actors (an
// officer by name and body, the node's services in Russian), times ДД.ММ.ГГГГ ЧЧ:ММ in the node's zone, the
// request concerned by its number as a link and never the debtor's name, filters (period, user, action, object),
// keyset pages, CSV with the same filters; a supervisor sees his body's entries and is told what is hidden and why.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { getRequest } from '../../src/app/get-request.js';
import { listAuditEntries } from '../../src/app/list-audit-entries.js';
import { listRequests } from '../../src/app/list-requests.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { partyTimeZone } from '../../src/domain/parties.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { plainRussianReport } from '../support/plain-russian.js';
import { rejects } from '../support/errors.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'audit-correct-horse-battery';
const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const RU_BODY = { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' };
const DEBTOR = 'Сидоровский';
const TOKENS = 55;

const text = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ');
const seqs = (html: string) => [...html.matchAll(/<td data-label="№">(\d+)<\/td>/g)].map((m) => Number(m[1]));

for (const e of ENGINES) {
  describe(`R9.1 issue 15.3: the readable audit log on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let base: string;
    let admin: Officer;
    let supervisor: Officer;
    let officer: Officer;
    let central: Officer;
    const ids: string[] = [];
    const numbers: string[] = [];
    const cookies = new Map<string, { cookie: string }>();

    const named = async (o: Officer, fullName: string) => {
      await node.ctx.db
        .updateTable('officers')
        .set({ full_name: fullName, password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', o.officerId)
        .execute();
      return { ...o, fullName };
    };
    const login = async (o: Officer) => {
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: o.login, password: PASSWORD }).toString(),
      });
      const token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
      await passSecondFactor(node.ctx, o.officerId, token);
      cookies.set(o.login, { cookie: `${COOKIE}=${token}` });
    };
    const get = async (o: Officer, path: string, status = 200) => {
      const res = await fetch(`${base}${path}`, { headers: cookies.get(o.login)!, redirect: 'manual' });
      assert.equal(res.status, status, path);
      return res;
    };

    before(async () => {
      node = nodeOn(await e.open(), 'KZ');
      await seedBody(node.ctx, {
        id: 'kz-central',
        kind: 'central',
        name: 'Министерство юстиции Республики Казахстан',
      });
      await seedBody(node.ctx, { id: 'kz-almaty', name: 'Департамент юстиции города Алматы' });
      admin = await named(await seedOfficer(node.ctx, 'kz-central', ['admin']), 'Ахметов Нурлан Серикович');
      supervisor = await named(await seedOfficer(node.ctx, 'kz-almaty', ['supervisor']), 'Касымова Айгуль Маратовна');
      officer = await named(await seedOfficer(node.ctx, 'kz-almaty'), 'Жумабаев Ерлан Болатович');
      central = await named(await seedOfficer(node.ctx, 'kz-central'), 'Омарова Дана Кайратовна');
      for (let n = 0; n < 4; n++) {
        const body = n < 3 ? 'kz-almaty' : 'kz-central';
        const r = await receiveRequest(node.ctx, SYSTEM, {
          messageId: `audit-web-${n}-0000`,
          fromBody: RU_BODY,
          toBodyId: body,
          receivedAt: '2026-11-26T10:00:00+05:00',
          document: aRequest((d) => {
            d.number = `77001/26/0${5000 + n}`;
            if (d.debtor?.type === 'individual') d.debtor.surname = DEBTOR;
            d.requestedBody = { id: body, party: 'KZ', name: body };
          }),
        });
        ids.push(r.id);
        numbers.push(`77001/26/0${5000 + n}`);
      }
      await getRequest(node.ctx, officer, ids[0]!);
      await listRequests(node.ctx, officer, { direction: 'incoming' });
      await getRequest(node.ctx, central, ids[3]!);
      for (let n = 0; n < TOKENS; n++) await createApiToken(node.ctx, officer, { name: `токен ${n}` });
      app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
      base = await app.listen({ host: '127.0.0.1', port: 0 });
      await login(admin);
      await login(supervisor);
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    test('filters: user, action, object (a request read alone or in a list), period; a wrong one names its field', async () => {
      const mine = await listAuditEntries(node.ctx, admin, { user: `officer:${officer.login}`, limit: 500 });
      assert.ok(mine.entries.length >= TOKENS + 2);
      assert.ok(mine.entries.every((x) => x.actor === `officer:${officer.login}`));
      const reads = await listAuditEntries(node.ctx, admin, { action: 'personal_data.read', limit: 500 });
      assert.equal(reads.entries.length, 3);
      assert.ok(reads.views.every((v) => v.action === 'Просмотр персональных данных'));
      // The first request: received, read on its page, and named by the list read.
      const first = await listAuditEntries(node.ctx, admin, { object: numbers[0], limit: 500 });
      const actions = first.entries.map((x) => x.action).sort();
      assert.deepEqual(actions, ['personal_data.read', 'personal_data.read', 'request.receipt'].sort());
      // The second only by the list read (its id in the details).
      const second = await listAuditEntries(node.ctx, admin, { object: numbers[1], action: 'personal_data.read' });
      assert.equal(second.entries.length, 1);
      assert.equal(second.entries[0]!.request_id, null);
      assert.equal((await listAuditEntries(node.ctx, admin, { object: 'нет-такого' })).entries.length, 0);
      const today = '2026-11-26';
      assert.ok((await listAuditEntries(node.ctx, admin, { from: today, to: today })).entries.length > 0);
      assert.equal((await listAuditEntries(node.ctx, admin, { from: '2026-11-27' })).entries.length, 0);
      assert.equal((await listAuditEntries(node.ctx, admin, { to: '2026-11-25' })).entries.length, 0);
      await rejects(listAuditEntries(node.ctx, admin, { from: '2026-11-27', to: '2026-11-26' }), 'input.invalid');
      await rejects(listAuditEntries(node.ctx, admin, { action: 'drop table' }), 'input.invalid');
      await rejects(listAuditEntries(node.ctx, officer, {}), 'access.denied');
    });

    test('keyset pages cover the log without losing or repeating an entry', async () => {
      const all = await listAuditEntries(node.ctx, admin, { limit: 500 });
      const seen: number[] = [];
      let before: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const p = await listAuditEntries(node.ctx, admin, { limit: 7, before });
        seen.push(...p.entries.map((x) => Number(x.seq)));
        if (!p.nextBefore) break;
        before = p.nextBefore;
      }
      assert.deepEqual(
        seen,
        all.entries.map((x) => Number(x.seq)),
      );
    });

    test('the page: Russian actions and actors, node-zone times, request links by number, no debtor, no English', async () => {
      const html = await (await get(admin, '/admin/audit')).text();
      const t = text(html);
      assert.equal(plainRussianReport('audit page', t), null);
      assert.match(t, /Просмотр персональных данных/);
      assert.match(t, /Жумабаев Ерлан Болатович\s+Департамент юстиции города Алматы/);
      assert.match(t, /Выпущен токен доступа/);
      assert.doesNotMatch(html, new RegExp(DEBTOR));
      assert.match(t, /Целостность журнала проверена/);
      const older = await (await get(admin, '/admin/audit?action=request.receipt')).text();
      assert.match(older, /<td data-label="Кто">узел \(обмен с другими Сторонами\)/);
      assert.doesNotMatch(older, /<td data-label="Кто">[^<]*(officer|system):/);
      assert.match(older, new RegExp(`<a href="/requests/${ids[0]}">запрос № ${numbers[0]}</a>`));
      const at = new Intl.DateTimeFormat('ru-RU', {
        timeZone: partyTimeZone('KZ'),
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .format(node.ctx.clock.now())
        .replace(',', '');
      assert.match(older, new RegExp(`<td data-label="Время">${at}</td>`));
      assert.doesNotMatch(text(older), /\d{4}-\d{2}-\d{2}/);
      // The list read names the requests it showed.
      const list = await (await get(admin, `/admin/audit?object=${encodeURIComponent(numbers[1]!)}`)).text();
      assert.match(list, new RegExp(`href="/requests/${ids[1]}"`));
      assert.match(text(list), /Что просмотрено: сведения о должнике/);
    });

    test('the page filters and pages; a wrong period is shown next to its field with the filters kept', async () => {
      const first = await (await get(admin, '/admin/audit')).text();
      assert.equal(seqs(first).length, 50);
      const next = /<a rel="next" href="([^"]+)"/.exec(first)![1]!.replaceAll('&amp;', '&');
      const second = await (await get(admin, next)).text();
      assert.ok(seqs(second).length > 0);
      assert.ok(Math.max(...seqs(second)) < Math.min(...seqs(first)));
      const filtered = await (
        await get(admin, `/admin/audit?user=officer:${officer.login}&action=token.create`)
      ).text();
      assert.equal(seqs(filtered).length, 50);
      assert.match(filtered, /<option value="token.create" selected>Выпущен токен доступа<\/option>/);
      const nextFiltered = /<a rel="next" href="([^"]+)"/.exec(filtered)![1]!.replaceAll('&amp;', '&');
      assert.match(nextFiltered, /action=token.create/);
      assert.equal(seqs(await (await get(admin, nextFiltered)).text()).length, TOKENS - 50);
      const wrong = await (
        await get(admin, '/admin/audit?from=2026-11-27&to=2026-11-01&action=token.create', 400)
      ).text();
      assert.match(wrong, /id="e-to"[^>]*>[^<]*раньше/);
      assert.match(wrong, /value="2026-11-27"/);
      assert.match(wrong, /<option value="token.create" selected>/);
    });

    test('CSV with the same filters: Russian headers and values, node-zone times, numbers and no debtor', async () => {
      const res = await get(admin, '/admin/audit/export?action=personal_data.read');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''/);
      const body = await res.text();
      assert.doesNotMatch(body, new RegExp(DEBTOR));
      const table = parse(body.replace(/^\uFEFF/, ''), { delimiter: ';' }) as string[][];
      assert.deepEqual(table[0], ['№', 'Время', 'Кто', 'Орган', 'Действие', 'Запрос или производство', 'Подробности']);
      assert.equal(table.length, 1 + 3);
      assert.ok(table.slice(1).every((r) => r[4] === 'Просмотр персональных данных'));
      assert.ok(table.slice(1).every((r) => /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/.test(r[1]!)));
      assert.ok(table.some((r) => r[5]!.includes(`запрос № ${numbers[0]}`)));
      assert.equal(plainRussianReport('audit csv', table.map((r) => r.join(' ')).join('\n')), null);
    });

    test("a supervisor sees his body's entries only and is told what is hidden and why", async () => {
      const own = await listAuditEntries(node.ctx, supervisor, { limit: 500 });
      assert.equal(own.scope, 'body');
      assert.ok(own.entries.length > 0 && own.entries.every((x) => x.body_id === 'kz-almaty'));
      const html = await (await get(supervisor, '/admin/audit?action=personal_data.read')).text();
      const t = text(html);
      assert.match(t, /Записи других органов и администрирования узла/);
      assert.match(t, /в номерах записей есть пропуски/);
      assert.doesNotMatch(t, /Омарова Дана Кайратовна/);
      assert.doesNotMatch(html, new RegExp(numbers[3]!.replaceAll('/', '\\/')));
      assert.doesNotMatch(html, /value="system:/);
      assert.equal(plainRussianReport('supervisor audit page', t), null);
      const csv = await (await get(supervisor, '/admin/audit/export')).text();
      assert.doesNotMatch(csv, /Омарова/);
    });

    test('the administration page shows a summary and a link instead of the raw extract', async () => {
      const html = await (await get(admin, '/admin')).text();
      assert.match(html, /<a href="\/admin\/audit">Открыть журнал действий<\/a>/);
      assert.doesNotMatch(html, /officer:|system:|personal_data\./);
    });
  });
}
