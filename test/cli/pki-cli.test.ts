// `eix pki …` and `eix registry …`: the whole federation chain through the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { readConfig } from '../../src/config/config.js';
import { runCli } from '../../src/cli/program.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-pki-cli-'));
process.on('exit', () => void rm(tmp, { recursive: true, force: true }));
const NOW = new Date('2026-11-26T09:00:00Z');
const events = (
  JSON.parse(await readFile(new URL('../../data/treaty/demo-events.json', import.meta.url), 'utf8')) as {
    events: unknown[];
  }
).events;
const p = (...s: string[]) => path.join(tmp, ...s);

async function eix(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string; json: Record<string, unknown> }> {
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
    clock: fixedClock(NOW),
    config: readConfig({}),
  });
  const json =
    argv.includes('--json') && out.trim().startsWith('{') ? (JSON.parse(out) as Record<string, unknown>) : {};
  return { code, out, err, json };
}

async function ok(...argv: string[]): Promise<Record<string, unknown>> {
  const r = await eix(...argv, '--json');
  assert.equal(r.code, 0, `${argv.join(' ')} → ${r.code}: ${r.out}${r.err}`);
  return r.json;
}

async function badInput(
  expected: string,
  ...argv: string[]
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const r = await eix(...argv, '--json');
  assert.equal(r.code, 2, `${argv.join(' ')} → exit ${r.code}: ${r.out}${r.err}`);
  const error = r.json.error as { code: string; message: string; details: Record<string, unknown> };
  assert.equal(error.code, expected, `${argv.join(' ')}: ${error.message}`);
  assert.match(error.message, /[а-яё]/i);
  assert.doesNotMatch(r.out + r.err, /\n\s+at .+:\d+:\d+|PRIVATE KEY/);
  return error;
}

test('the whole chain: depositary, Party CA, node and body certificates, signed registry', async () => {
  const dep = await ok('pki', 'depositary', '--out', p('dep'));
  assert.equal(dep.certificate, p('dep', 'depositary.crt'));
  assert.equal((await stat(p('dep', 'depositary.key'))).mode & 0o777, 0o600);
  assert.equal((await stat(p('dep', 'depositary.crt'))).mode & 0o777, 0o644);
  assert.equal((dep.info as { notBefore: string }).notBefore, NOW.toISOString());

  await ok('pki', 'party-ca', '--party', 'ru', '--issuer', p('dep'), '--out', p('ru'));
  const node = await ok(
    'pki',
    'node-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--node-id',
    'ru-node-1',
    '--host',
    'eix.ru.example',
    '--host',
    '10.0.0.5',
    '--out',
    p('ru', 'node'),
  );
  assert.equal((node.info as { nodeId: string }).nodeId, 'ru-node-1');
  await ok(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--body-id',
    'ru-fssp',
    '--body-name',
    'ФССП России',
    '--out',
    p('ru', 'bodies'),
  );
  assert.equal((await stat(p('ru', 'bodies', 'ru-fssp.key'))).mode & 0o777, 0o600);

  const depCert = new X509Certificate(await readFile(p('dep', 'depositary.crt')));
  const caCert = new X509Certificate(await readFile(p('ru', 'party-ca.crt')));
  const nodeCert = new X509Certificate(await readFile(p('ru', 'node', 'node.crt')));
  assert.ok(caCert.checkIssued(depCert) && caCert.verify(depCert.publicKey));
  assert.ok(nodeCert.checkIssued(caCert) && nodeCert.verify(caCert.publicKey));
  assert.match(nodeCert.subjectAltName ?? '', /IP Address:10\.0\.0\.5/);

  const shown = await ok('pki', 'show', p('ru', 'bodies', 'ru-fssp.crt'));
  assert.deepEqual([shown.bodyId, shown.party, shown.isCa], ['ru-fssp', 'RU', false]);
  assert.match(String(shown.subject), /ФССП России/);
  assert.match((await eix('pki', 'show', p('ru', 'party-ca.crt'))).out, /УЦ: да/);

  const registry = {
    format: 'eix-registry/1',
    version: 1,
    issuedAt: '2026-11-26T09:00:00Z',
    depositary: { name: 'Депозитарий СНГ' },
    treaty: { events },
    parties: {
      RU: {
        name: 'Российская Федерация',
        caCertificates: [caCert.toString()],
        nodes: [{ id: 'ru-node-1', url: 'https://eix.ru.example' }],
      },
    },
    revocations: [],
  };
  await writeFile(p('registry.json'), JSON.stringify(registry));
  const signed = await ok('registry', 'sign', p('registry.json'), '--depositary', p('dep'), '--out', p('registry.jws'));
  assert.equal(signed.version, 1);
  const verified = await ok('registry', 'verify', p('registry.jws'), '--depositary-cert', p('dep', 'depositary.crt'));
  assert.deepEqual(
    [verified.ok, verified.version, verified.issuedAt, verified.parties],
    [true, 1, '2026-11-26T09:00:00Z', ['RU']],
  );
  assert.equal(verified.sha256, signed.sha256);
  const human = await eix('registry', 'verify', p('registry.jws'), '--depositary-cert', p('dep', 'depositary.crt'));
  assert.match(human.out, /Подпись реестра доверия верна/);

  for (const f of ['registry.jws', 'registry.json']) {
    const s = await ok('registry', 'show', p(f));
    assert.equal(s.verified, false);
    assert.match(String(s.note), /не проверялась/);
    assert.equal((s.registry as { version: number }).version, 1);
  }

  // Another depositary's registry is refused.
  await ok('pki', 'depositary', '--out', p('fake'), '--name', 'Самозванец');
  await ok('registry', 'sign', p('registry.json'), '--depositary', p('fake'), '--out', p('fake.jws'));
  await badInput(
    'registry.depositary',
    'registry',
    'verify',
    p('fake.jws'),
    '--depositary-cert',
    p('dep', 'depositary.crt'),
  );
  // A tampered registry is refused.
  const [h, , s] = (await readFile(p('registry.jws'), 'utf8')).trim().split('.');
  await writeFile(
    p('tampered.jws'),
    `${h}.${Buffer.from(JSON.stringify({ ...registry, version: 7 })).toString('base64url')}.${s}`,
  );
  await badInput(
    'registry.signature',
    'registry',
    'verify',
    p('tampered.jws'),
    '--depositary-cert',
    p('dep', 'depositary.crt'),
  );
});

test('bad input: coded errors naming the option, keys never overwritten', async () => {
  await ok('pki', 'depositary', '--out', p('d2'));
  const key = await readFile(p('d2', 'depositary.key'), 'utf8');
  const exists = await badInput('pki.exists', 'pki', 'depositary', '--out', p('d2'));
  assert.equal(exists.details.field, '--out');
  assert.equal(await readFile(p('d2', 'depositary.key'), 'utf8'), key);

  assert.equal(
    (await badInput('input.party', 'pki', 'party-ca', '--party', 'RUS', '--issuer', p('d2'), '--out', p('x'))).details
      .field,
    '--party',
  );
  assert.equal(
    (await badInput('input.file', 'pki', 'party-ca', '--party', 'RU', '--issuer', p('nowhere'), '--out', p('x')))
      .details.field,
    '--issuer',
  );
  await ok('pki', 'party-ca', '--party', 'KZ', '--issuer', p('d2'), '--out', p('kz'));
  assert.equal(
    (
      await badInput(
        'pki.input',
        'pki',
        'node-cert',
        '--party',
        'KZ',
        '--ca',
        p('kz'),
        '--node-id',
        'KZ node',
        '--host',
        'a.example',
        '--out',
        p('kz', 'n'),
      )
    ).details.field,
    '--node-id',
  );
  assert.equal(
    (
      await badInput(
        'pki.input',
        'pki',
        'node-cert',
        '--party',
        'KZ',
        '--ca',
        p('kz'),
        '--node-id',
        'kz-node',
        '--host',
        'bad host!',
        '--out',
        p('kz', 'n'),
      )
    ).details.field,
    '--host',
  );
  assert.equal(
    (
      await badInput(
        'pki.input',
        'pki',
        'node-cert',
        '--party',
        'KZ',
        '--ca',
        p('kz'),
        '--node-id',
        'kz-node',
        '--out',
        p('kz', 'n'),
      )
    ).details.field,
    '--host',
  );
  await badInput(
    'input.invalid',
    'pki',
    'node-cert',
    '--party',
    'KZ',
    '--ca',
    p('kz'),
    '--host',
    'kz.example',
    '--out',
    p('kz', 'n'),
  );
  assert.equal(
    (
      await badInput(
        'pki.input',
        'pki',
        'body-cert',
        '--party',
        'KZ',
        '--ca',
        p('kz'),
        '--body-id',
        '../evil',
        '--body-name',
        'X',
        '--out',
        p('kz'),
      )
    ).details.field,
    '--body-id',
  );
  // A node certificate is not a CA: it cannot issue.
  await ok(
    'pki',
    'node-cert',
    '--party',
    'KZ',
    '--ca',
    p('kz'),
    '--node-id',
    'kz-node',
    '--host',
    'kz.example',
    '--out',
    p('kz', 'n'),
  );
  await writeFile(p('kz', 'n', 'party-ca.crt'), await readFile(p('kz', 'n', 'node.crt')));
  await writeFile(p('kz', 'n', 'party-ca.key'), await readFile(p('kz', 'n', 'node.key')));
  assert.equal(
    (
      await badInput(
        'pki.not_ca',
        'pki',
        'body-cert',
        '--party',
        'KZ',
        '--ca',
        p('kz', 'n'),
        '--body-id',
        'kz-b',
        '--body-name',
        'Орган',
        '--out',
        p('kz', 'b'),
      )
    ).details.field,
    '--ca',
  );
  // A CA certificate with someone else's key.
  await mkdir(p('mix'));
  await writeFile(p('mix', 'party-ca.crt'), await readFile(p('kz', 'party-ca.crt')));
  await writeFile(p('mix', 'party-ca.key'), await readFile(p('d2', 'depositary.key')));
  assert.equal(
    (
      await badInput(
        'pki.key',
        'pki',
        'body-cert',
        '--party',
        'KZ',
        '--ca',
        p('mix'),
        '--body-id',
        'kz-b',
        '--body-name',
        'Орган',
        '--out',
        p('kz', 'b'),
      )
    ).details.field,
    '--ca',
  );

  assert.equal((await badInput('pki.certificate', 'pki', 'show', p('d2', 'depositary.key'))).details.field, '<cert>');
  await badInput('input.file', 'pki', 'show', p('missing.crt'));

  await writeFile(p('bad-registry.json'), JSON.stringify({ format: 'eix-registry/1', version: 0 }));
  assert.equal(
    (
      await badInput(
        'registry.format',
        'registry',
        'sign',
        p('bad-registry.json'),
        '--depositary',
        p('d2'),
        '--out',
        p('b.jws'),
      )
    ).details.field,
    'issuedAt',
  );
  await writeFile(p('junk.jws'), 'hello');
  await badInput(
    'registry.format',
    'registry',
    'verify',
    p('junk.jws'),
    '--depositary-cert',
    p('d2', 'depositary.crt'),
  );
  await badInput('registry.format', 'registry', 'show', p('junk.jws'));
  assert.equal(
    (
      await badInput(
        'pki.certificate',
        'registry',
        'verify',
        p('junk.jws'),
        '--depositary-cert',
        p('d2', 'depositary.key'),
      )
    ).details.field,
    '--depositary-cert',
  );
});

test('eix registry build and revoke: a registry from its parts, then a revocation in a newer signed version', async () => {
  const dir = p('build');
  await ok('pki', 'depositary', '--out', path.join(dir, 'dep'));
  await ok('pki', 'party-ca', '--party', 'RU', '--issuer', path.join(dir, 'dep'), '--out', path.join(dir, 'ru'));
  await ok(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    path.join(dir, 'ru'),
    '--body-id',
    'ru-fssp-77',
    '--body-name',
    'ГУФССП России по г. Москве',
    '--out',
    path.join(dir, 'ru'),
  );
  await writeFile(path.join(dir, 'events.json'), JSON.stringify({ events }));
  await writeFile(
    path.join(dir, 'parties.json'),
    JSON.stringify({
      RU: {
        name: 'Российская Федерация',
        caCertificateFiles: ['ru/party-ca.crt'],
        nodes: [{ id: 'ru-node', url: 'https://ru.example:8443' }],
      },
    }),
  );
  const built = await ok(
    'registry',
    'build',
    '--events',
    path.join(dir, 'events.json'),
    '--parties',
    path.join(dir, 'parties.json'),
    '--out',
    path.join(dir, 'registry.json'),
  );
  assert.equal(built.version, 1);
  const revoked = await ok(
    'registry',
    'revoke',
    path.join(dir, 'registry.json'),
    '--cert',
    path.join(dir, 'ru', 'ru-fssp-77.crt'),
    '--reason',
    'ключ скомпрометирован',
    '--out',
    path.join(dir, 'registry-2.json'),
  );
  assert.equal(revoked.version, 2);
  await ok(
    'registry',
    'sign',
    path.join(dir, 'registry-2.json'),
    '--depositary',
    path.join(dir, 'dep'),
    '--out',
    path.join(dir, 'registry-2.jws'),
  );
  const v = await ok(
    'registry',
    'verify',
    path.join(dir, 'registry-2.jws'),
    '--depositary-cert',
    path.join(dir, 'dep', 'depositary.crt'),
  );
  assert.equal(v.version, 2);
  const doc = JSON.parse(await readFile(path.join(dir, 'registry-2.json'), 'utf8')) as {
    revocations: { party: string; reason: string }[];
  };
  assert.deepEqual([doc.revocations[0]!.party, doc.revocations[0]!.reason], ['RU', 'ключ скомпрометирован']);
  await writeFile(path.join(dir, 'bad-parties.json'), JSON.stringify({ RU: { name: 'x' } }));
  await badInput(
    'registry.format',
    'registry',
    'build',
    '--events',
    path.join(dir, 'events.json'),
    '--parties',
    path.join(dir, 'bad-parties.json'),
    '--out',
    path.join(dir, 'x.json'),
  );
  await badInput(
    'input.file',
    'registry',
    'revoke',
    path.join(dir, 'registry.json'),
    '--cert',
    path.join(dir, 'none.crt'),
    '--out',
    path.join(dir, 'y.json'),
  );
});
