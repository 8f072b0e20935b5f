// Issue 16.1 at the console: `eix request batch --template` writes the template; a bad file is refused with the
// problem named (exit 2, coded error); a good file on a real node home (embedded PGlite, the body's seal
// certificate installed) creates, signs and queues its valid rows, reports the others by row and column, and
// prints its progress on stderr.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { openDatabase } from '../../src/adapters/db/database.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { BATCH_COLUMNS, exampleCells } from '../../src/domain/batch.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-batch-cli-'));
const home = path.join(tmp, 'node');
const p = (...s: string[]) => path.join(tmp, ...s);
after(() => rm(tmp, { recursive: true, force: true }));
const EVENTS = path.resolve('data/treaty/demo-events.json');

type Json = Record<string, unknown>;
async function eix(argv: string[]): Promise<{ code: number; out: string; err: string; json: Json }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
    config: readConfig({ EIX_HOME: home, EIX_TREATY_EVENTS: EVENTS }),
  });
  const json = argv.includes('--json') && out.trim().startsWith('{') ? (JSON.parse(out) as Json) : {};
  return { code, out, err, json };
}
const ok = async (argv: string[]): Promise<Json> => {
  const r = await eix([...argv, '--json']);
  assert.equal(r.code, 0, r.out + r.err);
  return r.json;
};

test('issue 16.1: eix request batch --template writes the CSV and the XLSX with its sheet of explanations', async () => {
  await ok(['request', 'batch', '--template', p('шаблон.csv')]);
  const csv = (await readFile(p('шаблон.csv'), 'utf8')).replace(/^\ufeff/, '');
  assert.ok(csv.startsWith(BATCH_COLUMNS.map((c) => c.header).join(';')));
  await ok(['request', 'batch', '--template', p('шаблон.xlsx')]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(p('шаблон.xlsx'));
  assert.deepEqual(
    book.worksheets.map((w) => w.name),
    ['Запросы', 'Пояснения'],
  );
});

test('issue 16.1: eix request batch on a node: a bad file is refused naming the problem; a good one is run', async () => {
  await ok(['node', 'init', '--party', 'RU']);
  await ok(['pki', 'depositary', '--out', p('dep')]);
  await ok(['pki', 'party-ca', '--party', 'RU', '--issuer', p('dep'), '--out', p('ru')]);
  await ok(['body', 'add', '--id', 'ru-fssp-77', '--name', 'ГУФССП России по г. Москве', '--kind', 'territorial']);
  await ok(['body', 'csr', 'ru-fssp-77', '--out', p('body.csr')]);
  await ok(['pki', 'body-cert', '--party', 'RU', '--ca', p('ru'), '--csr', p('body.csr'), '--out', p('certs')]);
  // Installed as `eix body import-cert` installs it (that command's check against the trust registry is tested in
  // the seal tests; this node has no registry): the certificate beside the node-made key.
  const seals = path.join(home, 'keys', 'bodies');
  await copyFile(p('certs', 'ru-fssp-77.crt'), path.join(seals, 'ru-fssp-77.crt'));
  await rename(path.join(seals, 'ru-fssp-77.req.key'), path.join(seals, 'ru-fssp-77.key'));
  await rm(path.join(seals, 'ru-fssp-77.csr'));
  await ok([
    'user',
    'add',
    '--body',
    'ru-fssp-77',
    '--login',
    'ivanova',
    '--full-name',
    'Иванова Мария Петровна',
    '--position',
    'судебный пристав-исполнитель',
    '--roles',
    'officer',
  ]);

  // A file that is not the template: exit 2, the columns named.
  await writeFile(p('чужой.csv'), 'ФИО;Сумма\nИванов;100\n');
  const bad = await eix(['request', 'batch', p('чужой.csv'), '--to', 'KZ', '--login', 'ivanova', '--json']);
  assert.equal(bad.code, 2, bad.out);
  const error = bad.json.error as { code: string; message: string; details: Json };
  assert.equal(error.code, 'batch.file');
  assert.equal(error.details.field, '<file>');
  assert.match(error.message, /неизвестные столбцы: «ФИО», «Сумма»/);
  const missing = await eix(['request', 'batch', p('нет.csv'), '--to', 'KZ', '--login', 'ivanova', '--json']);
  assert.equal((missing.json.error as { code: string }).code, 'input.file');

  const ex = exampleCells();
  const rows: Record<string, string>[] = [1, 2, 3].map((i) => ({ ...ex, proceedingNumber: `CLI-${i}` }));
  rows[1]!.debtorBirthDate = '31.13.1980';
  await writeFile(
    p('пакет.csv'),
    stringify([BATCH_COLUMNS.map((c) => c.header), ...rows.map((r) => BATCH_COLUMNS.map((c) => r[c.key] ?? ''))], {
      delimiter: ';',
    }),
  );
  const human = await eix(['request', 'batch', p('пакет.csv'), '--to', 'KZ', '--login', 'ivanova']);
  assert.equal(human.code, 0, human.out + human.err);
  assert.match(human.out, /создано, подписано и поставлено в очередь отправки запросов — 2 из 3; строк с ошибками — 1/);
  assert.match(human.out, /строка 3, «Должник: дата рождения»: .*ДД\.ММ\.ГГГГ/);
  assert.match(human.err, /Готово: создано 2, с ошибками 1, всего строк 3/);

  const again = await ok([
    'request',
    'batch',
    p('пакет.csv'),
    '--to',
    'KZ',
    '--body',
    'kz-central',
    '--login',
    'ivanova',
  ]);
  assert.deepEqual([again.state, again.created, again.failed], ['done', 2, 1]);
  const wrongBody = await eix([
    'request',
    'batch',
    p('пакет.csv'),
    '--to',
    'KZ',
    '--body',
    'kz-nowhere',
    '--login',
    'ivanova',
    '--json',
  ]);
  assert.equal((wrongBody.json.error as { details: Json }).details.field, '--body');

  const db = await openDatabase({ dir: path.join(home, 'db') });
  try {
    const made = await db.db.selectFrom('requests').select(['state', 'number']).execute();
    assert.equal(made.length, 4);
    assert.ok(made.every((r) => r.state === 'signed'));
    assert.equal((await db.db.selectFrom('outbox').selectAll().execute()).length, 4);
  } finally {
    await db.close();
  }
  const verify = await ok(['audit', 'verify']);
  assert.equal(verify.ok, true);
});
