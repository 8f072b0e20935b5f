// Issue 15.1 at the console: the Party CA issues a body's seal certificate from the CSR the body's node made
// (`eix pki body-cert --csr`; the key never leaves the node), refusing a CSR of another Party or body; the
// old path (the CA makes the key) still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { certificateInfo, createBodyRequest } from '../../src/adapters/crypto/pki.js';
import { readConfig } from '../../src/config/config.js';
import { runCli } from '../../src/cli/program.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-seal-cli-'));
process.on('exit', () => void rm(tmp, { recursive: true, force: true }));
const NOW = new Date('2026-11-26T09:00:00Z');
const p = (...s: string[]) => path.join(tmp, ...s);

async function eix(...argv: string[]): Promise<{ code: number; json: Record<string, unknown>; text: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv, '--json'], {
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    clock: fixedClock(NOW),
    config: readConfig({}),
  });
  return {
    code,
    json: out.trim().startsWith('{') ? (JSON.parse(out) as Record<string, unknown>) : {},
    text: out + err,
  };
}

test('eix pki body-cert --csr: a certificate on the node-made key; wrong Party or body refused; old path kept', async () => {
  assert.equal((await eix('pki', 'depositary', '--out', p('dep'))).code, 0);
  assert.equal((await eix('pki', 'party-ca', '--party', 'RU', '--issuer', p('dep'), '--out', p('ru'))).code, 0);
  const req = await createBodyRequest({ party: 'RU', bodyId: 'ru-fssp-50', bodyName: 'ГУФССП России по МО' });
  await writeFile(p('ru-fssp-50.csr'), req.csrPem);
  const kzReq = await createBodyRequest({ party: 'KZ', bodyId: 'kz-almaty', bodyName: 'ДОИ Алматы' });
  await writeFile(p('kz.csr'), kzReq.csrPem);
  await writeFile(p('junk.csr'), 'не запрос');

  // Rejections first: another Party's CSR, a CSR of another body than named, not a CSR, neither path chosen.
  const kz = await eix('pki', 'body-cert', '--party', 'RU', '--ca', p('ru'), '--csr', p('kz.csr'), '--out', p('out'));
  assert.equal(kz.code, 2, kz.text);
  assert.match(String((kz.json.error as { message: string }).message), /Стороны KZ/);
  const other = await eix(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--csr',
    p('ru-fssp-50.csr'),
    '--body-id',
    'ru-fssp-51',
    '--out',
    p('out'),
  );
  assert.equal(other.code, 2, other.text);
  assert.match(String((other.json.error as { message: string }).message), /ru-fssp-50, а не ru-fssp-51/);
  const junk = await eix(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--csr',
    p('junk.csr'),
    '--out',
    p('out'),
  );
  assert.equal(junk.code, 2, junk.text);
  const neither = await eix('pki', 'body-cert', '--party', 'RU', '--ca', p('ru'), '--out', p('out'));
  assert.equal(neither.code, 2, neither.text);

  const r = await eix(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--csr',
    p('ru-fssp-50.csr'),
    '--out',
    p('out'),
  );
  assert.equal(r.code, 0, r.text);
  assert.equal(r.json.certificate, p('out', 'ru-fssp-50.crt'));
  const certPem = await readFile(p('out', 'ru-fssp-50.crt'), 'utf8');
  const info = certificateInfo(certPem);
  assert.equal(info.bodyId, 'ru-fssp-50');
  assert.equal(info.party, 'RU');
  // On the key of the CSR: the node's key, never written by the CA.
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('hex');
  assert.equal(spki(new X509Certificate(certPem).publicKey), spki(createPublicKey(createPrivateKey(req.keyPem))));
  await assert.rejects(readFile(p('out', 'ru-fssp-50.key')), /ENOENT/);
  // Issued twice into the same place: refused, nothing overwritten.
  const again = await eix(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--csr',
    p('ru-fssp-50.csr'),
    '--out',
    p('out'),
  );
  assert.equal(again.code, 2, again.text);

  // The old path: the CA makes key and certificate.
  const old = await eix(
    'pki',
    'body-cert',
    '--party',
    'RU',
    '--ca',
    p('ru'),
    '--body-id',
    'ru-fssp-77',
    '--body-name',
    'ГУФССП по Москве',
    '--out',
    p('old'),
  );
  assert.equal(old.code, 0, old.text);
  assert.ok((await readFile(p('old', 'ru-fssp-77.key'), 'utf8')).includes('PRIVATE KEY'));
});
