// Issue 15 item 2 at the web door (PGlite, plain fetch, cookies by hand): the administrator's users list with
// search, body and state filters, roles in Russian and pages; a user's page where a block ends his sessions and
// keeps him out, an unblock lets him in, a reset password is shown once on the POST answer and must be changed at
// the next login, a casework role for an account an admin controls waits for a second administrator (named on the
// page), and every form keeps its input with the error in place. An administrator without casework roles lands on
// /admin and his menu has no casework pages; a refusal names roles in Russian.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer, uniq, type TestNode } from '../support/app.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'admin-correct-horse-battery';
const OFFICER_PASSWORD = 'officer-staple-lantern-river';

describe('issue 15.2: users on the administration page (PGlite)', () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let body: string;
  let otherBody: string;
  let admin: Officer;
  let admin2: Officer;
  let adminToken: string;

  const setPassword = async (o: Officer, password: string, mustChange = false) =>
    node.ctx.db
      .updateTable('officers')
      .set({ password_hash: await hashPassword(password), password_must_change: mustChange })
      .where('id', '=', o.officerId)
      .execute();
  const setName = (o: Officer, fullName: string) =>
    node.ctx.db.updateTable('officers').set({ full_name: fullName }).where('id', '=', o.officerId).execute();

  before(async () => {
    node = nodeOn(await ENGINES[0]!.open(), 'RU');
    body = await seedBody(node.ctx, { name: 'ГУФССП России по г. Москве' });
    otherBody = await seedBody(node.ctx, { name: 'ГУФССП России по Тверской области' });
    admin = await seedOfficer(node.ctx, body, ['admin']);
    admin2 = await seedOfficer(node.ctx, body, ['admin']);
    await setName(admin2, 'Второй Администратор Узлович');
    await setPassword(admin, PASSWORD);
    app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    adminToken = await loginAdmin(admin);
  });
  after(async () => {
    await app?.close();
    await node?.database.close();
  });

  async function rawLogin(login: string, password: string): Promise<Response> {
    return fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login, password }).toString(),
    });
  }
  const tokenOf = (res: Response) => /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1];
  async function login(login: string, password: string): Promise<string> {
    const res = await rawLogin(login, password);
    assert.equal(res.status, 302, (await res.text()).slice(0, 300));
    return tokenOf(res)!;
  }
  async function loginAdmin(o: Officer): Promise<string> {
    const token = await login(o.login, PASSWORD);
    await passSecondFactor(node.ctx, o.officerId, token);
    return token;
  }
  const get = (url: string, token = adminToken) =>
    fetch(`${base}${url}`, { redirect: 'manual', headers: { cookie: `${COOKIE}=${token}` } });
  const html = async (url: string, token = adminToken) => {
    const res = await get(url, token);
    assert.equal(res.status, 200, `${url}: ${res.status} ${res.headers.get('location') ?? ''}`);
    return res.text();
  };
  const text = (page: string) =>
    page
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  async function post(url: string, form: Record<string, string | string[]>, token = adminToken) {
    const page = await html('/admin', token);
    const p = new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1]! });
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) p.append(k, x);
    return fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${COOKIE}=${token}` },
      body: p.toString(),
    });
  }
  /** An officer who can log in with OFFICER_PASSWORD (the password his own). */
  async function officerWithPassword(roles: Officer['roles'] = ['officer'], where = body): Promise<Officer> {
    const o = await seedOfficer(node.ctx, where, roles);
    await setPassword(o, OFFICER_PASSWORD);
    return o;
  }

  test('an administrator without casework roles lands on /admin; his menu has no casework pages; a refusal names roles in Russian', async () => {
    const token = await login(admin.login, PASSWORD);
    await passSecondFactor(node.ctx, admin.officerId, token);
    const landing = await get('/', token);
    assert.equal(landing.status, 302);
    assert.equal(landing.headers.get('location'), '/admin');
    const page = await html('/admin', token);
    const menu = /<nav aria-label="Основное меню">([\s\S]*?)<\/nav>/.exec(page)![1]!;
    for (const casework of ['Запросы', 'Исполнительные производства', 'Уведомления', 'Проверка оригинала'])
      assert.doesNotMatch(menu, new RegExp(`>${casework}<`), casework);
    assert.match(menu, />Администрирование</);
    assert.match(menu, />Пользователи</);
    // An officer still has his casework menu and start page.
    const o = await officerWithPassword();
    const officerToken = await login(o.login, OFFICER_PASSWORD);
    assert.equal((await get('/', officerToken)).status, 200);
    assert.match(await html('/', officerToken), /<a href="\/proceedings">Исполнительные производства<\/a>/);
    // A page the admin may not open says which roles it needs, in Russian.
    const refused = await get('/proceedings', token);
    assert.equal(refused.status, 403);
    const why = text(await refused.text());
    assert.match(why, /Недостаточно прав: нужна одна из ролей: «судебный исполнитель», «руководитель»/);
    assert.doesNotMatch(why, /\b(officer|supervisor|central)\b/);
  });

  test('the list finds users by login and by name, filters by body and state, shows roles in Russian and pages', async () => {
    const mark = uniq('poisk').replace(/-/g, '');
    const a = await seedOfficer(node.ctx, body, ['officer', 'supervisor']);
    await setName(a, `Иванова ${mark} Петровна`);
    const b = await seedOfficer(node.ctx, otherBody, ['central']);
    await setName(b, `Сидоров ${mark} Ильич`);
    await node.ctx.db
      .updateTable('officers')
      .set({ disabled_at: node.ctx.clock.now() })
      .where('id', '=', b.officerId)
      .execute();

    const byName = await html(`/admin/users?q=${encodeURIComponent(mark.toUpperCase())}`);
    assert.match(byName, new RegExp(`>${a.login}<`));
    assert.match(byName, new RegExp(`>${b.login}<`));
    assert.doesNotMatch(byName, new RegExp(`>${admin.login}<`));
    assert.match(text(byName), /судебный исполнитель, руководитель/);
    const roleCells = [...byName.matchAll(/<td data-label="Роли">([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!));
    assert.deepEqual(roleCells, ['судебный исполнитель, руководитель', 'центральный орган']);
    const byLogin = await html(`/admin/users?q=${encodeURIComponent(a.login)}`);
    assert.match(byLogin, new RegExp(`>${a.login}<`));
    assert.doesNotMatch(byLogin, new RegExp(`>${b.login}<`));
    const inBody = await html(`/admin/users?q=${mark}&bodyId=${otherBody}`);
    assert.doesNotMatch(inBody, new RegExp(`>${a.login}<`));
    assert.match(inBody, new RegExp(`>${b.login}<`));
    const blocked = await html(`/admin/users?q=${mark}&state=blocked`);
    assert.doesNotMatch(blocked, new RegExp(`>${a.login}<`));
    assert.match(text(blocked), new RegExp(`${b.login} .*заблокирован`));
    const active = await html(`/admin/users?q=${mark}&state=active`);
    assert.match(active, new RegExp(`>${a.login}<`));
    assert.doesNotMatch(active, new RegExp(`>${b.login}<`));
    // The filters keep what was asked.
    assert.match(active, new RegExp(`name="q" type="search" value="${mark}"`));
    assert.match(active, /<option value="active" selected>/);
    // A wrong state is said next to its field, the page still the list.
    const wrong = await get(`/admin/users?q=${mark}&state=deleted`);
    assert.equal(wrong.status, 400);
    const wrongPage = await wrong.text();
    assert.match(wrongPage, /id="e-state"/);
    assert.match(wrongPage, new RegExp(`value="${mark}"`));

    // Pages of 50.
    const crowd = await seedBody(node.ctx, { name: 'Многолюдный орган' });
    for (let i = 0; i < 53; i += 1) await seedOfficer(node.ctx, crowd, ['officer']);
    const first = await html(`/admin/users?bodyId=${crowd}`);
    assert.match(text(first), /Найдено: 53 ?, страница 1 из 2/);
    assert.equal((first.match(/href="\/admin\/users\/[0-9a-f-]{36}"/g) ?? []).length, 50);
    const next = /rel="next" href="([^"]+)"/.exec(first)![1]!.replaceAll('&amp;', '&');
    const second = await html(next);
    assert.equal((second.match(/href="\/admin\/users\/[0-9a-f-]{36}"/g) ?? []).length, 3);
  });

  test("block (after a confirmation) ends the user's sessions and keeps him out; unblock lets him in", async () => {
    const o = await officerWithPassword();
    const officerToken = await login(o.login, OFFICER_PASSWORD);
    assert.equal((await get('/', officerToken)).status, 200);

    const ask = await post(`/admin/users/${o.officerId}/block`, {});
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /id="confirm-block"/);
    assert.equal((await get('/', officerToken)).status, 200, 'not blocked before the confirmation');

    const done = await post(`/admin/users/${o.officerId}/block`, { confirmed: 'yes' });
    assert.equal(done.status, 302);
    assert.equal(done.headers.get('location'), `/admin/users/${o.officerId}`);
    const after = await html(`/admin/users/${o.officerId}`);
    assert.match(text(after), /заблокирован: войти не может/);
    assert.match(text(after), /Пользователь .* заблокирован/);
    const gone = await get('/', officerToken);
    assert.equal(gone.status, 302);
    assert.match(gone.headers.get('location') ?? '', /^\/login/);
    const refused = await rawLogin(o.login, OFFICER_PASSWORD);
    assert.notEqual(refused.status, 302);
    assert.equal(tokenOf(refused), undefined);

    assert.match(text(after), /Открытых сеансов 0/);
    const unblock = await post(`/admin/users/${o.officerId}/unblock`, {});
    assert.equal(unblock.status, 302);
    // The session the block ended stays ended.
    assert.equal((await get('/', officerToken)).status, 302);
    const back = await login(o.login, OFFICER_PASSWORD);
    assert.equal((await get('/', back)).status, 200);
  });

  test('a reset password is shown once on the POST answer and must be changed at the next login', async () => {
    const o = await officerWithPassword();
    const officerToken = await login(o.login, OFFICER_PASSWORD);
    const ask = await post(`/admin/users/${o.officerId}/password`, {});
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /id="confirm-password"/);
    const res = await post(`/admin/users/${o.officerId}/password`, { confirmed: 'yes' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    assert.match(res.headers.get('cache-control') ?? '', /no-store/);
    const page = await res.text();
    const password = /id="one-time-password"[\s\S]*?<code>([^<]+)<\/code>/.exec(page)?.[1];
    assert.ok(password, 'the new password is on the answer');
    assert.doesNotMatch(await html(`/admin/users/${o.officerId}`), /one-time-password/);
    // His old session ended; the old password no longer opens one.
    assert.equal((await get('/', officerToken)).status, 302);
    assert.notEqual((await rawLogin(o.login, OFFICER_PASSWORD)).status, 302);
    // The new one does, but only the password page until he sets his own.
    const token = await login(o.login, password.replaceAll('&amp;', '&'));
    const first = await get('/', token);
    assert.equal(first.status, 302);
    assert.equal(first.headers.get('location'), '/password');
  });

  test('a casework role for an account an admin controls shows as pending with who may approve; a second admin approves', async () => {
    const o = await seedOfficer(node.ctx, body, ['officer']);
    await setPassword(o, OFFICER_PASSWORD, true);
    const res = await post(`/admin/users/${o.officerId}/roles`, { roles: ['officer', 'supervisor'] });
    assert.equal(res.status, 302);
    const page = await html(`/admin/users/${o.officerId}`);
    const pending = /<div class="card" id="pending-grant">([\s\S]*?)<\/div>/.exec(page)?.[1];
    assert.ok(pending, 'the pending grant is shown');
    assert.match(text(pending), /Роли судебный исполнитель, руководитель/);
    assert.match(text(pending), /пароль задан администратором/);
    const approvers = text(/id="grant-approvers">([\s\S]*?)<\/dd>/.exec(pending)![1]!);
    assert.match(approvers, new RegExp(admin2.login));
    assert.doesNotMatch(approvers, new RegExp(admin.login));
    assert.match(text(pending), /Вы не можете решить этот запрос/);
    assert.match(text(/id="user-roles">([^<]*)</.exec(page)![1]!), /^судебный исполнитель$/);
    // The list marks it too.
    assert.match(text(await html(`/admin/users?q=${o.login}`)), /ждёт подтверждения/);

    await setPassword(admin2, PASSWORD);
    const token2 = await loginAdmin(admin2);
    const decided = await post(
      `/admin/users/${o.officerId}/grant`,
      {
        grant: /name="grant" value="([^"]+)"/.exec(await html(`/admin/users/${o.officerId}`, token2))![1]!,
        decision: 'approve',
      },
      token2,
    );
    assert.equal(decided.status, 302);
    const approved = await html(`/admin/users/${o.officerId}`, token2);
    assert.match(text(/id="user-roles">([^<]*)</.exec(approved)![1]!), /судебный исполнитель, руководитель/);
    assert.doesNotMatch(approved, /id="pending-grant"/);
  });

  test('forms keep their input and show the error in place (no error page)', async () => {
    const o = await officerWithPassword(['officer', 'central']);
    // No role ticked.
    const none = await post(`/admin/users/${o.officerId}/roles`, {});
    assert.equal(none.status, 400);
    const nonePage = await none.text();
    assert.doesNotMatch(nonePage, /Действие не выполнено/);
    assert.match(nonePage, /id="e-roles"[^>]*>Отметьте хотя бы одну роль/);
    assert.match(nonePage, /id="roles-form"/);
    // His own roles: refused in place, the ticked boxes kept as submitted.
    const own = await post(`/admin/users/${admin.officerId}/roles`, { roles: ['admin', 'supervisor'] });
    assert.equal(own.status, 403);
    const ownPage = await own.text();
    assert.match(ownPage, /id="e-roles"[^>]*>Нельзя изменить собственные роли/);
    assert.match(ownPage, /id="ur-supervisor" name="roles" value="supervisor" checked/);
    // The add-user form on /admin keeps what was typed (never the password) and says what is wrong.
    const add = await post('/admin/officers', {
      bodyId: otherBody,
      login: 'Неверное Имя',
      fullName: 'Кузнецова Мария Олеговна',
      position: 'судебный пристав-исполнитель',
      phone: '+7 495 000-00-00',
      roles: 'supervisor',
      password: 'секретный-пароль-не-показывать',
    });
    assert.equal(add.status, 400);
    const addPage = await add.text();
    assert.doesNotMatch(addPage, /Действие не выполнено/);
    assert.match(addPage, /id="o-error" role="alert">имя входа — от 2 до 63 символов/);
    assert.match(addPage, /id="o-login" name="login" type="text" required value="Неверное Имя" aria-invalid="true"/);
    assert.match(addPage, /value="Кузнецова Мария Олеговна"/);
    assert.match(addPage, /value="\+7 495 000-00-00"/);
    assert.match(addPage, new RegExp(`<option value="${otherBody}" selected>`));
    assert.match(addPage, /id="role-supervisor" name="roles" value="supervisor" checked/);
    assert.doesNotMatch(addPage, /секретный-пароль-не-показывать/);
  });
});
