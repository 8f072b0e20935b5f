// Federation PKI: depositary root → Party CA → node TLS / body signing certificates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  certificateInfo,
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  issueNodeCertificate,
  verifyCertificate,
  writePublicFile,
  writeSecretFile,
} from '../../src/adapters/crypto/pki.js';
import { EixError } from '../../src/domain/errors.js';

const run = promisify(execFile);
const tmp = await mkdtemp(path.join(tmpdir(), 'eix-pki-'));
process.on('exit', () => void rm(tmp, { recursive: true, force: true }));

const depositary = await createDepositaryCa({ name: 'Депозитарий СНГ' });
const ruCa = await createPartyCa({ party: 'RU', name: 'Российская Федерация', issuer: depositary });
const node = await issueNodeCertificate({
  party: 'RU',
  nodeId: 'ru-node-1',
  hosts: ['eix.fssp.example', '127.0.0.1', '::1'],
  issuer: ruCa,
});
const body = await issueBodyCertificate({ party: 'RU', bodyId: 'ru-fssp', bodyName: 'ФССП России', issuer: ruCa });

test('the chain depositary → Party CA → node and body certificates verifies', async () => {
  const now = new Date();
  assert.deepEqual(await verifyCertificate(ruCa.certPem, depositary.certPem, now), { ok: true });
  assert.deepEqual(await verifyCertificate(node.certPem, ruCa.certPem, now), { ok: true });
  assert.deepEqual(await verifyCertificate(body.certPem, ruCa.certPem, now), { ok: true });
  assert.deepEqual(await verifyCertificate(depositary.certPem, depositary.certPem, now), { ok: true });
  // Node's own X.509 agrees on the chain and the extensions.
  const n = new X509Certificate(node.certPem);
  assert.ok(n.checkIssued(new X509Certificate(ruCa.certPem)));
  assert.ok(n.verify(new X509Certificate(ruCa.certPem).publicKey));
  assert.match(n.subjectAltName ?? '', /DNS:eix\.fssp\.example/);
  assert.match(n.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.match(n.subjectAltName ?? '', /URI:urn:eix:node:ru-node-1/);
  assert.deepEqual([...(n.keyUsage ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.equal(n.ca, false);
  assert.equal(new X509Certificate(ruCa.certPem).ca, true);
  assert.equal(n.checkHost('eix.fssp.example'), 'eix.fssp.example');
  assert.equal(n.checkIP('127.0.0.1'), '127.0.0.1');
});

test('wrong issuer → signature; issuer not a CA → not_ca', async () => {
  const kzCa = await createPartyCa({ party: 'KZ', name: 'Республика Казахстан', issuer: depositary });
  assert.deepEqual(await verifyCertificate(node.certPem, kzCa.certPem, new Date()), { ok: false, reason: 'signature' });
  assert.deepEqual(await verifyCertificate(node.certPem, depositary.certPem, new Date()), {
    ok: false,
    reason: 'signature',
  });
  assert.deepEqual(await verifyCertificate(body.certPem, node.certPem, new Date()), { ok: false, reason: 'not_ca' });
  // A node certificate cannot issue certificates.
  await assert.rejects(
    issueBodyCertificate({ party: 'RU', bodyId: 'x-body', bodyName: 'Орган', issuer: node }),
    (e: unknown) => e instanceof EixError && e.code === 'pki.not_ca',
  );
});

test('validity: expired and not yet valid at `at`', async () => {
  const short = await issueNodeCertificate({
    party: 'RU',
    nodeId: 'ru-node-2',
    hosts: ['localhost'],
    issuer: ruCa,
    validDays: 1,
  });
  const later = new Date(Date.now() + 3 * 86_400_000);
  assert.deepEqual(await verifyCertificate(short.certPem, ruCa.certPem, later), { ok: false, reason: 'expired' });
  const future = await issueBodyCertificate({
    party: 'RU',
    bodyId: 'ru-later',
    bodyName: 'Орган',
    issuer: ruCa,
    notBefore: new Date(Date.now() + 86_400_000),
  });
  assert.deepEqual(await verifyCertificate(future.certPem, ruCa.certPem, new Date()), {
    ok: false,
    reason: 'not_yet_valid',
  });
  assert.deepEqual(await verifyCertificate(future.certPem, ruCa.certPem, later), { ok: true });
});

test('certificateInfo extracts node id, body id, Party and CA flag', () => {
  const n = certificateInfo(node.certPem);
  assert.equal(n.nodeId, 'ru-node-1');
  assert.equal(n.party, 'RU');
  assert.equal(n.isCa, false);
  assert.equal(n.bodyId, undefined);
  assert.match(n.subject, /CN=ru-node-1/);
  assert.match(n.serialNumber, /^[0-9a-f]{32}$/);
  assert.equal(n.serialNumber, new X509Certificate(node.certPem).serialNumber.toLowerCase());
  assert.equal(n.sha256, new X509Certificate(node.certPem).fingerprint256.replace(/:/g, '').toLowerCase());
  const b = certificateInfo(body.certPem);
  assert.deepEqual([b.bodyId, b.party, b.isCa, b.nodeId], ['ru-fssp', 'RU', false, undefined]);
  assert.match(b.subject, /CN=ФССП России/);
  const ca = certificateInfo(ruCa.certPem);
  assert.deepEqual([ca.isCa, ca.party], [true, 'RU']);
  assert.match(ca.subject, /CN=EIX Party CA RU/);
  assert.match(ca.subject, /O=Российская Федерация/);
  assert.equal(certificateInfo(depositary.certPem).isCa, true);
  assert.throws(
    () => certificateInfo('not a certificate'),
    (e: unknown) => e instanceof EixError && e.code === 'pki.certificate',
  );
  assert.notEqual(certificateInfo(body.certPem).serialNumber, n.serialNumber);
});

test('bad input is refused with coded errors that name the field and carry no key material', async () => {
  const cases: [Promise<unknown>, string, string][] = [
    [
      issueNodeCertificate({ party: 'RU', nodeId: 'Bad_Id', hosts: ['a.example'], issuer: ruCa }),
      'pki.input',
      'nodeId',
    ],
    [issueNodeCertificate({ party: 'RU', nodeId: 'ru-n', hosts: [], issuer: ruCa }), 'pki.input', 'hosts'],
    [issueNodeCertificate({ party: 'RU', nodeId: 'ru-n', hosts: ['bad host'], issuer: ruCa }), 'pki.input', 'hosts'],
    [
      issueNodeCertificate({ party: 'RUS', nodeId: 'ru-n', hosts: ['a.example'], issuer: ruCa }),
      'input.party',
      'party',
    ],
    [
      createPartyCa({ party: 'KZ', name: 'K', issuer: { certPem: depositary.certPem, keyPem: ruCa.keyPem } }),
      'pki.key',
      'issuer.keyPem',
    ],
    [
      createPartyCa({ party: 'KZ', name: 'K', issuer: { certPem: depositary.certPem, keyPem: 'garbage' } }),
      'pki.key',
      'issuer.keyPem',
    ],
    [createDepositaryCa({ name: 'D', validDays: 0 }), 'pki.input', 'validDays'],
  ];
  for (const [p, code, field] of cases) {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof EixError, String(e));
      assert.deepEqual([e.code, e.data.field], [code, field]);
      assert.doesNotMatch(e.message + JSON.stringify(e.data), /PRIVATE KEY|MIG/);
      return true;
    });
  }
});

test('key files are 0600 and never overwritten; certificates 0644', async () => {
  const key = path.join(tmp, 'a.key');
  const crt = path.join(tmp, 'a.crt');
  await writeSecretFile(key, node.keyPem);
  await writePublicFile(crt, node.certPem);
  assert.equal((await stat(key)).mode & 0o777, 0o600);
  assert.equal((await stat(crt)).mode & 0o777, 0o644);
  await assert.rejects(
    writeSecretFile(key, body.keyPem),
    (e: unknown) => e instanceof EixError && e.code === 'pki.exists',
  );
  assert.match(node.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('Ed25519 variant: the whole chain verifies', async () => {
  const d = await createDepositaryCa({ name: 'Депозитарий', algorithm: 'Ed25519' });
  const ca = await createPartyCa({ party: 'BY', name: 'Республика Беларусь', issuer: d });
  const n = await issueNodeCertificate({ party: 'BY', nodeId: 'by-node', hosts: ['by.example'], issuer: ca });
  assert.equal(new X509Certificate(n.certPem).publicKey.asymmetricKeyType, 'ed25519');
  assert.deepEqual(await verifyCertificate(ca.certPem, d.certPem, new Date()), { ok: true });
  assert.deepEqual(await verifyCertificate(n.certPem, ca.certPem, new Date()), { ok: true });
  assert.deepEqual(await verifyCertificate(n.certPem, ruCa.certPem, new Date()), { ok: false, reason: 'signature' });
  // An ES256 node under an Ed25519 CA (algorithm per certificate).
  const mixed = await issueNodeCertificate({
    party: 'BY',
    nodeId: 'by-node-2',
    hosts: ['by2.example'],
    issuer: ca,
    algorithm: 'ES256',
  });
  assert.deepEqual(await verifyCertificate(mixed.certPem, ca.certPem, new Date()), { ok: true });
});

test('openssl verifies the chains independently', async () => {
  const dir = await mkdtemp(path.join(tmp, 'openssl-'));
  const f = (n: string) => path.join(dir, n);
  await writeFile(f('depositary.crt'), depositary.certPem);
  await writeFile(f('party-ca.crt'), ruCa.certPem);
  await writeFile(f('node.crt'), node.certPem);
  await writeFile(f('body.crt'), body.certPem);
  for (const leaf of ['node.crt', 'body.crt']) {
    const { stdout } = await run('/usr/bin/openssl', [
      'verify',
      '-CAfile',
      f('depositary.crt'),
      '-untrusted',
      f('party-ca.crt'),
      f(leaf),
    ]);
    assert.match(stdout, /: OK/);
  }
  const { stdout } = await run('/usr/bin/openssl', [
    'verify',
    '-purpose',
    'sslserver',
    '-CAfile',
    f('depositary.crt'),
    '-untrusted',
    f('party-ca.crt'),
    f('node.crt'),
  ]);
  assert.match(stdout, /: OK/);
  // Without the Party CA the chain does not close.
  await assert.rejects(run('/usr/bin/openssl', ['verify', '-CAfile', f('depositary.crt'), f('node.crt')]));
});
