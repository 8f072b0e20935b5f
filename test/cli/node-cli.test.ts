// `eix node init`, `db migrate`, `body add`, `user add`, `audit verify` in
// process on a temporary EIX_HOME (embedded PGlite): the CLI contract (JSON,
// exit 0 / exit 2 with a coded error) and the files init leaves behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { openDatabase } from '../../src/adapters/db/database.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-node-cli-'));
const home = path.join(tmp, 'node');
after(() => rm(tmp, { recursive: true, force: true }));

type Json = Record<string, unknown>;

async function eix(argv: string[], at = home): Promise<{ code: number; out: string; err: string; json: Json }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    },
    clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
    config: readConfig({ EIX_HOME: at }),
  });
  const json = argv.includes('--json') && out.trim().startsWith('{') ? (JSON.parse(out) as Json) : {};
  return { code, out, err, json };
}

async function badInput(code: string, argv: string[], at = home): Promise<Json> {
  const r = await eix([...argv, '--json'], at);
  assert.equal(r.code, 2, `${argv.join(' ')} → exit ${r.code}: ${r.out}${r.err}`);
  const error = r.json.error as { code: string; message: string; details: Json };
  assert.equal(error.code, code, error.message);
  assert.match(error.message, /[а-яё]/i);
  assert.doesNotMatch(r.out + r.err, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return error.details;
}

type Run = Awaited<ReturnType<typeof eix>>;

// Every test works on the node `eix node init` creates here; a test that needs a body or an officer adds its own.
let init: Run;
before(async () => {
  init = await eix(['node', 'init', '--party', 'ru', '--json']);
});
const adminPassword = (): string => (init.json.admin as { password: string }).password;

test('eix node init: directories 0700, key 0600, node.json, central body and admin; password shown once', async () => {
  assert.equal(init.code, 0, init.out + init.err);
  const admin = init.json.admin as { login: string; password: string };
  assert.deepEqual(
    [init.json.home, init.json.party, init.json.bodyId, admin.login],
    [home, 'RU', 'ru-central', 'admin'],
  );
  assert.equal(admin.password.length, 16);
  const info = JSON.parse(await readFile(path.join(home, 'node.json'), 'utf8')) as Json;
  assert.deepEqual([info.party, info.createdAt], ['RU', '2026-11-26T09:00:00.000Z']);
  assert.equal((await stat(home)).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(home, 'keys'))).mode & 0o777, 0o700);
  assert.equal((await stat(path.join(home, 'keys', 'data.key'))).mode & 0o777, 0o600);
  assert.ok(!(await readFile(path.join(home, 'node.json'), 'utf8')).includes(adminPassword()));
});

test('eix node init: a second init is refused (node.exists); bad input writes nothing', async () => {
  await badInput('node.exists', ['node', 'init', '--party', 'RU']);
  await badInput('node.exists', ['node', 'init']);
  assert.equal((await badInput('input.party', ['node', 'init', '--party', 'RUS'])).field, '--party');
  const other = path.join(tmp, 'other');
  assert.equal(
    (await badInput('input.invalid', ['node', 'init', '--party', 'KZ', '--body-id', 'KZ Central'], other)).field,
    '--body-id',
  );
  assert.equal(
    (await badInput('input.invalid', ['node', 'init', '--party', 'KZ', '--admin', 'Админ'], other)).field,
    '--admin',
  );
  await assert.rejects(stat(path.join(other, 'node.json')));
});

test('eix body add and user add: JSON answers, coded errors naming the option', async () => {
  const b = await eix([
    'body',
    'add',
    '--id',
    'ru-msk',
    '--name',
    'ГУФССП по г. Москве',
    '--kind',
    'territorial',
    '--parent',
    'ru-central',
    '--time-zone',
    'Europe/Moscow',
    '--address',
    '125009, г. Москва, ул. Тверская, д. 1',
    '--phone',
    '+7 495 123-45-67',
    '--email',
    'msk@fssp.example',
    '--json',
  ]);
  assert.equal(b.code, 0, b.out + b.err);
  assert.deepEqual(
    [b.json.id, b.json.party, b.json.parentId, b.json.timeZone],
    ['ru-msk', 'RU', 'ru-central', 'Europe/Moscow'],
  );
  // Issue 14, item 8: the letterhead printed on the body's forms.
  assert.deepEqual(
    [b.json.address, b.json.phone, b.json.email],
    ['125009, г. Москва, ул. Тверская, д. 1', '+7 495 123-45-67', 'msk@fssp.example'],
  );
  assert.equal(
    (
      await badInput('input.invalid', [
        'body',
        'add',
        '--id',
        'ru-y',
        '--name',
        'y',
        '--kind',
        'other',
        '--email',
        'нет',
      ])
    ).field,
    '--email',
  );
  await badInput('body.exists', ['body', 'add', '--id', 'ru-msk', '--name', 'x', '--kind', 'territorial']);
  assert.equal(
    (await badInput('input.invalid', ['body', 'add', '--id', 'ru-x', '--name', 'x', '--kind', 'federal'])).field,
    '--kind',
  );
  assert.equal(
    (
      await badInput('input.invalid', [
        'body',
        'add',
        '--id',
        'ru-x',
        '--name',
        'x',
        '--kind',
        'other',
        '--time-zone',
        'Mars/Base',
      ])
    ).field,
    '--time-zone',
  );
  assert.equal(
    (
      await badInput('body.not_found', [
        'body',
        'add',
        '--id',
        'ru-x',
        '--name',
        'x',
        '--kind',
        'other',
        '--parent',
        'nowhere',
      ])
    ).field,
    '--parent',
  );

  const user = [
    'user',
    'add',
    '--body',
    'ru-msk',
    '--login',
    'ivanov',
    '--full-name',
    'Иванов Иван Иванович',
    '--position',
    'судебный пристав-исполнитель',
  ];
  const u = await eix([...user, '--roles', 'officer, supervisor', '--json']);
  assert.equal(u.code, 0, u.out + u.err);
  const officer = u.json.officer as Json;
  assert.deepEqual([officer.login, officer.roles, officer.bodyId], ['ivanov', ['officer', 'supervisor'], 'ru-msk']);
  assert.equal(String(u.json.password).length, 16);
  assert.ok(!('password_hash' in officer));
  await badInput('officer.exists', [...user, '--roles', 'officer']);
  assert.equal(
    (
      await badInput('input.invalid', [
        ...user.slice(0, -6),
        '--login',
        'petrov',
        '--full-name',
        'x',
        '--position',
        'x',
        '--roles',
        'officer,boss',
      ])
    ).field,
    '--roles',
  );
  assert.equal(
    (
      await badInput('input.invalid', [
        ...user.slice(0, -6),
        '--login',
        'petrov',
        '--full-name',
        'x',
        '--position',
        'x',
        '--roles',
        ',',
      ])
    ).field,
    '--roles',
  );
  assert.match(
    String((await badInput('input.invalid', ['user', 'add', '--body', 'ru-msk', '--login', 'petrov'])).field),
    /^--full-name/,
  );
  const human = await eix([
    'user',
    'add',
    '--body',
    'ru-central',
    '--login',
    'sidorov',
    '--full-name',
    'Сидоров',
    '--position',
    'руководитель',
    '--roles',
    'supervisor',
  ]);
  assert.match(human.out, /Пароль \(показывается один раз/);
});

test('issue 17.3: eix user email sets and removes the address for e-mail notices; a bad one names --email', async () => {
  const added = await eix([
    'user',
    'add',
    '--body',
    'ru-central',
    '--login',
    'kuznetsova',
    '--full-name',
    'Кузнецова Анна Петровна',
    '--position',
    'судебный пристав-исполнитель',
    '--roles',
    'officer',
    '--json',
  ]);
  assert.equal(added.code, 0, added.out + added.err);
  const set = await eix(['user', 'email', '--login', 'kuznetsova', '--email', 'kuznetsova@fssp.example']);
  assert.equal(set.code, 0, set.out + set.err);
  assert.equal(set.out.trim(), 'Адрес электронной почты пользователя kuznetsova: kuznetsova@fssp.example');
  const stored = async () => {
    const db = await openDatabase({ dir: path.join(home, 'db') });
    try {
      return (
        await db.db.selectFrom('officers').select('email').where('login', '=', 'kuznetsova').executeTakeFirstOrThrow()
      ).email;
    } finally {
      await db.close();
    }
  };
  assert.equal(await stored(), 'kuznetsova@fssp.example');
  assert.equal(
    (await badInput('input.invalid', ['user', 'email', '--login', 'kuznetsova', '--email', 'kuznetsova'])).field,
    '--email',
  );
  assert.equal((await badInput('input.invalid', ['user', 'email', '--login', 'kuznetsova'])).field, '--email');
  // One mailbox: a list would send every letter to someone else too.
  assert.equal(
    (
      await badInput('input.invalid', [
        'user',
        'email',
        '--login',
        'kuznetsova',
        '--email',
        'a@fssp.example,b@x.example',
      ])
    ).field,
    '--email',
  );
  assert.equal(
    (await badInput('officer.not_found', ['user', 'email', '--login', 'nobody', '--none'])).field,
    '--login',
  );
  const none = await eix(['user', 'email', '--login', 'kuznetsova', '--none']);
  assert.equal(none.code, 0, none.out + none.err);
  assert.equal(await stored(), null);
});

test('V3.5.x: eix token create --expires-days and eix token list: expiry in JSON and as ДД.ММ.ГГГГ; a bad number names the option', async () => {
  const t = await eix(['token', 'create', '--login', 'admin', '--name', 'выгрузка', '--expires-days', '30', '--json']);
  assert.equal(t.code, 0, t.out + t.err);
  assert.equal(t.json.expiresAt, '2026-12-26T09:00:00.000Z');
  const d = await eix(['token', 'create', '--login', 'admin', '--name', 'по умолчанию', '--json']);
  assert.equal(d.json.expiresAt, '2027-11-26T09:00:00.000Z', '1 year by default');
  for (const bad of ['0', '731', 'год', '1.5'])
    assert.equal(
      (await badInput('input.invalid', ['token', 'create', '--login', 'admin', '--name', 'x', '--expires-days', bad]))
        .field,
      '--expires-days',
    );
  const list = await eix(['token', 'list', '--json']);
  const tokens = list.json.tokens as { id: string; expiresAt: string; status: string }[];
  assert.deepEqual(
    tokens.filter((x) => x.id === t.json.id).map((x) => [x.expiresAt, x.status]),
    [['2026-12-26T09:00:00.000Z', 'active']],
  );
  assert.equal(tokens.length, 2, 'refused attempts wrote nothing');
  const human = await eix(['token', 'list', '--login', 'admin']);
  assert.match(human.out, new RegExp(`${String(t.json.id)} .*действует до 26\\.12\\.2026`));
  assert.doesNotMatch(human.out, /2026-12-26/);
});

test('eix db migrate: nothing new after init', async () => {
  const r = await eix(['db', 'migrate', '--json']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.deepEqual([r.json.applied, r.json.engine, r.json.location], [[], 'pglite', path.join(home, 'db')]);
});

test('R9.1: eix audit verify: intact chain, then a forged entry is named (exit 0, answer in JSON)', async () => {
  // Audited steps of this test's own on top of init's: a body, an officer (password shown once) and its e-mail.
  const steps = [
    ['body', 'add', '--id', 'ru-spb', '--name', 'ГУФССП по г. Санкт-Петербургу', '--kind', 'territorial'],
    [
      'user',
      'add',
      '--body',
      'ru-spb',
      '--login',
      'smirnov',
      '--full-name',
      'Смирнов',
      '--position',
      'пристав',
      '--roles',
      'officer',
    ],
    ['user', 'email', '--login', 'smirnov', '--email', 'smirnov@fssp.example'],
  ];
  const shown: string[] = [adminPassword()];
  for (const step of steps) {
    const r = await eix([...step, '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    if (typeof r.json.password === 'string') shown.push(r.json.password);
  }
  assert.equal(shown.length, 2, 'user add showed the password');
  const ok = await eix(['audit', 'verify', '--json']);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.equal(ok.json.ok, true);
  assert.ok(Number(ok.json.count) >= 5, JSON.stringify(ok.json));
  assert.match((await eix(['audit', 'verify'])).out, /Журнал аудита цел: записей/);

  const onDisk = await stat(path.join(home, 'db', 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  assert.ok(onDisk, 'embedded database lives in EIX_HOME/db');
  const database = await openDatabase({ dir: path.join(home, 'db') });
  try {
    const text = JSON.stringify(await database.db.selectFrom('audit_log').selectAll().execute());
    for (const password of shown) assert.ok(!text.includes(password), 'no password in the audit log');
    // The forged entry is the last thing this file does to the node: no later test verifies its chain.
    const n = Number(ok.json.count);
    await database.db
      .insertInto('audit_log')
      .values({
        seq: n + 1,
        at: new Date(),
        actor: 'forger',
        body_id: null,
        action: 'x',
        request_id: null,
        subject: null,
        details: '{}',
        prev_hash: '0'.repeat(64),
        hash: 'f'.repeat(64),
      })
      .execute();
  } finally {
    await database.close();
  }
  const broken = await eix(['audit', 'verify', '--json']);
  assert.equal(broken.code, 0);
  assert.deepEqual([broken.json.ok, broken.json.brokenAt], [false, Number(ok.json.count) + 1]);
  assert.match(
    (await eix(['audit', 'verify'])).out,
    new RegExp(`нарушен: первая повреждённая запись № ${Number(ok.json.count) + 1}`),
  );
});
