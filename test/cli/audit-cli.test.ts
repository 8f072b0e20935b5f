// Issue 13, item 7, from the console on a real node home (embedded PGlite):
// `eix node init` makes keys/audit.key (0600); `eix audit checkpoint` signs
// the log's head with the node's TLS key; `eix audit verify --checkpoint`
// detects a truncated tail; bad input gets a coded Russian error (exit 2).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { openDatabase } from '../../src/adapters/db/database.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-audit-cli-'));
const home = path.join(tmp, 'node');
const pki = path.join(tmp, 'pki');
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
    clock: fixedClock(new Date('2026-11-27T09:00:00Z')),
    config: readConfig({ EIX_HOME: home }),
  });
  const json = argv.includes('--json') && out.trim().startsWith('{') ? (JSON.parse(out) as Json) : {};
  return { code, out, err, json };
}

async function badInput(code: string, argv: string[], field: string): Promise<Json> {
  const r = await eix([...argv, '--json']);
  assert.equal(r.code, 2, `${argv.join(' ')} → exit ${r.code}: ${r.out}${r.err}`);
  const error = r.json.error as { code: string; message: string; details: Json };
  assert.equal(error.code, code, error.message);
  assert.equal(error.details.field, field, error.message);
  assert.match(error.message, /[а-яё]/i);
  assert.doesNotMatch(r.out + r.err, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  const human = await eix(argv);
  assert.match(human.err, new RegExp(`^Ошибка \\[${code.replace('.', '\\.')}\\]: .*[а-яё]`, 'i'));
  return error.details;
}

const ok = async (argv: string[]): Promise<Json> => {
  const r = await eix([...argv, '--json']);
  assert.equal(r.code, 0, r.out + r.err);
  return r.json;
};

test('issue 13: eix node init makes the audit key in the node home, 0600, outside the database', async () => {
  await ok(['node', 'init', '--party', 'RU']);
  const file = path.join(home, 'keys', 'audit.key');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const key = JSON.parse(await readFile(file, 'utf8')) as Json;
  assert.deepEqual([key.version, Buffer.from(String(key.key), 'base64').length], [1, 32]);
  const v = await ok(['audit', 'verify']);
  assert.deepEqual([v.ok, v.legacy, v.keyed], [true, 0, true]);
});

test('issue 13: eix audit checkpoint on a node without a TLS key → audit.no_signing_key', async () => {
  await badInput('audit.no_signing_key', ['audit', 'checkpoint'], 'EIX_HOME');
});

test('issue 13: eix audit checkpoint signs with the node TLS key; verify --checkpoint accepts an intact log', async () => {
  await ok(['pki', 'depositary', '--out', pki]);
  await ok(['pki', 'party-ca', '--party', 'RU', '--issuer', pki, '--out', pki]);
  await ok([
    'pki',
    'node-cert',
    '--party',
    'RU',
    '--ca',
    pki,
    '--node-id',
    'ru-node',
    '--host',
    'localhost',
    '--out',
    pki,
  ]);
  const tls = path.join(home, 'keys', 'tls');
  await mkdir(tls, { recursive: true, mode: 0o700 });
  await copyFile(path.join(pki, 'node.key'), path.join(tls, 'node.key'));
  const chain =
    (await readFile(path.join(pki, 'node.crt'), 'utf8')) + (await readFile(path.join(pki, 'party-ca.crt'), 'utf8'));
  await writeFile(path.join(tls, 'node-chain.crt'), chain);

  const file = path.join(tmp, 'cp1.jws');
  const cp = await ok(['audit', 'checkpoint', '--out', file]);
  assert.ok(Number(cp.seq) >= 2, JSON.stringify(cp));
  assert.deepEqual([cp.count, cp.legacy, cp.party, cp.file], [cp.seq, 0, 'RU', file]);
  assert.equal((await readFile(file, 'utf8')).trim(), cp.jws);
  // Without --out the JWS goes to stdout, for `eix audit checkpoint > file`.
  const printed = await eix(['audit', 'checkpoint']);
  assert.match(printed.out.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/);

  const v = await ok(['audit', 'verify', '--checkpoint', file]);
  assert.equal(v.ok, true, JSON.stringify(v));
  assert.equal((v.checkpoint as Json).seq, cp.seq);
  // Checked with only the node certificate, as an archive would.
  assert.equal((await ok(['audit', 'verify', '--checkpoint', file, '--cert', path.join(pki, 'node.crt')])).ok, true);
  assert.match((await eix(['audit', 'verify', '--checkpoint', file])).out, /Контрольная точка .* подтверждена/);
  // A checkpoint file is never overwritten.
  await badInput('input.file', ['audit', 'checkpoint', '--out', file], '--out');
});

test('issue 13: eix audit verify --checkpoint: missing, garbage, forged files get coded Russian errors', async () => {
  const file = path.join(tmp, 'cp1.jws');
  await badInput('input.file', ['audit', 'verify', '--checkpoint', path.join(tmp, 'missing.jws')], '--checkpoint');
  const garbage = path.join(tmp, 'garbage.jws');
  await writeFile(garbage, 'это не контрольная точка\n');
  await badInput('audit.checkpoint_format', ['audit', 'verify', '--checkpoint', garbage], '--checkpoint');
  await writeFile(garbage, Buffer.from([0, 1, 2, 255, 254]));
  await badInput('audit.checkpoint_format', ['audit', 'verify', '--checkpoint', garbage], '--checkpoint');
  // The right document checked with a certificate that did not sign it (the Party CA's).
  await badInput(
    'audit.checkpoint_signature',
    ['audit', 'verify', '--checkpoint', file, '--cert', path.join(pki, 'party-ca.crt')],
    '--checkpoint',
  );
  // The payload edited, the signature kept.
  const [h, p, s] = (await readFile(file, 'utf8')).trim().split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Json;
  const forged = path.join(tmp, 'forged.jws');
  await writeFile(forged, `${h}.${Buffer.from(JSON.stringify({ ...payload, seq: 1 })).toString('base64url')}.${s}`);
  await badInput('audit.checkpoint_signature', ['audit', 'verify', '--checkpoint', forged], '--checkpoint');
  await badInput('input.file', ['audit', 'verify', '--checkpoint', file, '--cert', path.join(tmp, 'no.crt')], '--cert');
});

test('issue 13: a tail cut in the database is detected against the checkpoint (exit 0, verdict in JSON)', async () => {
  const file = path.join(tmp, 'cp1.jws');
  const seq = Number(
    (JSON.parse(Buffer.from((await readFile(file, 'utf8')).split('.')[1]!, 'base64url').toString()) as Json).seq,
  );
  const database = await openDatabase({ dir: path.join(home, 'db') });
  try {
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(database.db);
    await sql`delete from audit_log where seq >= ${seq}`.execute(database.db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(database.db);
  } finally {
    await database.close();
  }
  assert.equal((await ok(['audit', 'verify'])).ok, true, 'the cut log alone still looks whole');
  const v = await ok(['audit', 'verify', '--checkpoint', file]);
  assert.deepEqual([v.ok, v.reason, v.brokenAt], [false, 'truncated', seq]);
  assert.match(
    (await eix(['audit', 'verify', '--checkpoint', file])).out,
    new RegExp(`нарушен: первая повреждённая запись № ${seq} — журнал короче, чем в контрольной точке`),
  );
  // And the node will not sign the shorter log.
  const r = await eix(['audit', 'checkpoint', '--json']);
  assert.equal(r.code, 1);
  assert.equal((r.json.error as Json).code, 'audit.broken');
});
