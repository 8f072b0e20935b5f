// ASVS 4.0.3 V1.6.3 (issue 13): `eix node rotate-data-key`, `eix node reseal`,
// `eix node retire-data-key <id>` in process on a temporary EIX_HOME (embedded
// PGlite): the CLI contract (JSON, exit 0 / exit 2 with a coded Russian error),
// the key file they leave, and the refusal while the node holds its database.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { openDatabase } from '../../src/adapters/db/database.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { buildContext, nodePaths } from '../../src/main.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-data-key-cli-'));
const home = path.join(tmp, 'node');
const keyFile = nodePaths(home).dataKey;
after(() => rm(tmp, { recursive: true, force: true }));

type Json = Record<string, unknown>;

async function eix(argv: string[]): Promise<{ code: number; out: string; err: string; json: Json }> {
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
    config: readConfig({ EIX_HOME: home }),
  });
  const json = argv.includes('--json') && out.trim().startsWith('{') ? (JSON.parse(out) as Json) : {};
  return { code, out, err, json };
}

async function badInput(code: string, argv: string[]): Promise<{ message: string; details: Json }> {
  const r = await eix([...argv, '--json']);
  assert.equal(r.code, 2, `${argv.join(' ')} → exit ${r.code}: ${r.out}${r.err}`);
  const error = r.json.error as { code: string; message: string; details: Json };
  assert.equal(error.code, code, error.message);
  assert.match(error.message, /[а-яё]/i);
  assert.doesNotMatch(r.out + r.err, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  return error;
}

const keyIds = async (): Promise<string[]> =>
  (JSON.parse(await readFile(keyFile, 'utf8')) as { keys: { id: string }[] }).keys.map((k) => k.id);

let firstKey = '';

before(async () => {
  const init = await eix(['node', 'init', '--party', 'RU', '--json']);
  assert.equal(init.code, 0, init.out + init.err);
  firstKey = (await keyIds())[0]!;
  // One sealed value under the first key, as answer-request stores an attachment.
  const wired = await buildContext(readConfig({ EIX_HOME: home }));
  try {
    const content = Buffer.from('справка о доходах');
    const sha = createHash('sha256').update(content).digest('hex');
    await wired.ctx.db
      .insertInto('attachments')
      .values({
        sha256: sha,
        size: content.length,
        media_type: 'text/plain',
        content_enc: wired.ctx.sealer.encrypt(content, `attachment:${sha}`),
        key_id: wired.ctx.sealer.activeKeyId,
      })
      .execute();
  } finally {
    await wired.close();
  }
});

test('V1.6.3: rotate-data-key is refused while the node holds its embedded database (node.busy); the key file is unchanged', async () => {
  const running = await openDatabase({ dir: nodePaths(home).db });
  try {
    await badInput('node.busy', ['node', 'rotate-data-key']);
  } finally {
    await running.close();
  }
  assert.deepEqual(await keyIds(), [firstKey]);
});

test('V1.6.3: eix node rotate-data-key adds an active key, keeps the old one and says to restart the node and reseal', async () => {
  const human = await eix(['node', 'rotate-data-key']);
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /Новый активный ключ данных: k[0-9a-f]{8}/);
  assert.match(human.out, /Перезапустите все процессы узла/);
  assert.match(human.out, /eix node reseal/);
  const ids = await keyIds();
  assert.equal(ids.length, 2);
  const active = (JSON.parse(await readFile(keyFile, 'utf8')) as { active: string }).active;
  assert.equal(active, ids[1]);
  assert.equal(ids[0], firstKey);
});

test('V1.6.3: retire-data-key refuses an unknown id, the active key and a key still in use (count), in Russian with stable codes', async () => {
  const unknown = await badInput('data_key.unknown', ['node', 'retire-data-key', 'k00000000']);
  assert.equal(unknown.details.field, '<keyId>');
  assert.match(unknown.message, /Ключа k00000000 нет в файле ключей/);
  await badInput('data_key.unknown', ['node', 'retire-data-key', 'не-ключ']);
  const [, active] = await keyIds();
  await badInput('data_key.active', ['node', 'retire-data-key', active!]);
  const inUse = await badInput('data_key.in_use', ['node', 'retire-data-key', firstKey]);
  assert.equal(inUse.details.count, 1);
  assert.match(inUse.message, /eix node reseal/);
  await badInput('input.invalid', ['node', 'retire-data-key']);
  assert.equal(
    (await badInput('input.invalid', ['node', 'reseal', '--batch-size', '0'])).details.field,
    '--batch-size',
  );
  assert.equal((await keyIds()).length, 2, 'nothing retired');
});

test('V1.6.3: eix node reseal moves every value to the active key (counts per column); a second run finds nothing; then the old key retires', async () => {
  const [, active] = await keyIds();
  const r = await eix(['node', 'reseal', '--batch-size', '1', '--json']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.equal(r.json.resealed, 1);
  assert.deepEqual(r.json.byKey, { [active!]: 1 });
  const columns = r.json.columns as { column: string; resealed: number }[];
  assert.equal(columns.find((c) => c.column === 'attachments.content_enc')?.resealed, 1);
  const again = await eix(['node', 'reseal']);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /Всего перешифровано: 0/);

  const retired = await eix(['node', 'retire-data-key', firstKey, '--json']);
  assert.equal(retired.code, 0, retired.out);
  assert.deepEqual(retired.json.keys, [active]);
  assert.deepEqual(await keyIds(), [active]);
  const verify = await eix(['audit', 'verify', '--json']);
  assert.equal(verify.code, 0, verify.out);
});
