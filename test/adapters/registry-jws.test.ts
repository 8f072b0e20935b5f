// The depositary's signed trust registry: compact JWS over the canonical JSON,
// verified only with the pinned depositary certificate; no rollback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import canonicalize from 'canonicalize';
import { createDepositaryCa, createPartyCa } from '../../src/adapters/crypto/pki.js';
import {
  acceptRegistry,
  registrySha256,
  signRegistry,
  verifyRegistry,
} from '../../src/adapters/crypto/registry-jws.js';
import { EixError } from '../../src/domain/errors.js';
import type { Registry } from '../../src/domain/registry.js';

const events = (
  JSON.parse(await readFile(new URL('../../data/treaty/demo-events.json', import.meta.url), 'utf8')) as {
    events: Registry['treaty']['events'];
  }
).events;
const depositary = await createDepositaryCa({ name: 'Депозитарий СНГ' });
const other = await createDepositaryCa({ name: 'Самозваный депозитарий' });
const ruCa = await createPartyCa({ party: 'RU', name: 'Российская Федерация', issuer: depositary });

const registry: Registry = {
  format: 'eix-registry/1',
  version: 2,
  issuedAt: '2026-03-01T10:00:00Z',
  depositary: { name: 'Депозитарий СНГ' },
  treaty: { events },
  parties: {
    RU: {
      name: 'Российская Федерация',
      caCertificates: [ruCa.certPem],
      nodes: [{ id: 'ru-node', url: 'https://eix.ru.example' }],
    },
  },
  revocations: [],
};

const isCode = (code: string) => (e: unknown) => {
  assert.ok(e instanceof EixError, String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

const b64u = (s: string) => Buffer.from(s).toString('base64url');

test('sign and verify: header, canonical payload, the registry back', async () => {
  const jws = await signRegistry(registry, depositary);
  const [h, p, s] = jws.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg: string; typ: string; x5c: string[] };
  assert.equal(header.alg, 'ES256');
  assert.equal(header.typ, 'eix-registry+jws');
  assert.equal(header.x5c[0], new crypto.X509Certificate(depositary.certPem).raw.toString('base64'));
  assert.equal(Buffer.from(p!, 'base64url').toString(), canonicalize(registry));
  assert.equal(Buffer.from(s!, 'base64url').length, 64);
  assert.deepEqual(await verifyRegistry(jws, depositary.certPem), registry);
  assert.match(registrySha256(registry), /^[0-9a-f]{64}$/);
});

test('independent check of the signature with node:crypto', async () => {
  const jws = await signRegistry(registry, depositary);
  const [h, p, s] = jws.split('.');
  const publicKey = new crypto.X509Certificate(depositary.certPem).publicKey;
  const signingInput = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s!, 'base64url');
  assert.equal(crypto.verify('sha256', signingInput, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), true);
  assert.equal(
    crypto.verify('sha256', Buffer.from(`${h}.${p}x`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
    false,
  );
});

test('tampered payload → registry.signature', async () => {
  const jws = await signRegistry(registry, depositary);
  const [h, , s] = jws.split('.');
  const forged = `${h}.${b64u(canonicalize({ ...registry, version: 99 })!)}.${s}`;
  await assert.rejects(verifyRegistry(forged, depositary.certPem), isCode('registry.signature'));
  const flipped = `${h}.${jws.split('.')[1]}.${s!.slice(0, -4)}AAAA`;
  await assert.rejects(verifyRegistry(flipped, depositary.certPem), isCode('registry.signature'));
});

test('another depositary: its x5c → registry.depositary; our x5c with its signature → registry.signature', async () => {
  const foreign = await signRegistry(registry, other);
  await assert.rejects(verifyRegistry(foreign, depositary.certPem), isCode('registry.depositary'));
  // The attacker copies the pinned certificate into x5c but signs with its own key.
  const [, p] = foreign.split('.');
  const header = b64u(
    JSON.stringify({
      alg: 'ES256',
      typ: 'eix-registry+jws',
      x5c: [new crypto.X509Certificate(depositary.certPem).raw.toString('base64')],
    }),
  );
  const sig = crypto
    .sign('sha256', Buffer.from(`${header}.${p}`), { key: other.keyPem, dsaEncoding: 'ieee-p1363' })
    .toString('base64url');
  await assert.rejects(verifyRegistry(`${header}.${p}.${sig}`, depositary.certPem), isCode('registry.signature'));
  // Missing x5c, wrong typ, garbage.
  const noX5c = b64u(JSON.stringify({ alg: 'ES256', typ: 'eix-registry+jws' }));
  await assert.rejects(verifyRegistry(`${noX5c}.${p}.${sig}`, depositary.certPem), isCode('registry.depositary'));
  const badTyp = b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
  await assert.rejects(verifyRegistry(`${badTyp}.${p}.${sig}`, depositary.certPem), isCode('registry.format'));
  await assert.rejects(verifyRegistry('not a jws', depositary.certPem), isCode('registry.format'));
  // alg none is never accepted.
  const none = b64u(
    JSON.stringify({
      alg: 'none',
      typ: 'eix-registry+jws',
      x5c: [new crypto.X509Certificate(depositary.certPem).raw.toString('base64')],
    }),
  );
  await assert.rejects(verifyRegistry(`${none}.${p}.${sig}`, depositary.certPem), isCode('registry.signature'));
});

test('a correctly signed but malformed registry → registry.format; a bad registry is not signed', async () => {
  const header = b64u(
    JSON.stringify({
      alg: 'ES256',
      typ: 'eix-registry+jws',
      x5c: [new crypto.X509Certificate(depositary.certPem).raw.toString('base64')],
    }),
  );
  const payload = b64u(JSON.stringify({ ...registry, version: 0 }));
  const sig = crypto
    .sign('sha256', Buffer.from(`${header}.${payload}`), { key: depositary.keyPem, dsaEncoding: 'ieee-p1363' })
    .toString('base64url');
  await assert.rejects(
    verifyRegistry(`${header}.${payload}.${sig}`, depositary.certPem),
    (e: unknown) => isCode('registry.format')(e) && (e as EixError).data.field === 'version',
  );
  await assert.rejects(signRegistry({ ...registry, version: 0 }, depositary), isCode('registry.format'));
  await assert.rejects(
    signRegistry(registry, { certPem: depositary.certPem, keyPem: other.keyPem }),
    isCode('pki.key'),
  );
});

test('Ed25519 depositary signs with EdDSA', async () => {
  const ed = await createDepositaryCa({ name: 'Депозитарий', algorithm: 'Ed25519' });
  const jws = await signRegistry(registry, ed);
  assert.equal((JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as { alg: string }).alg, 'EdDSA');
  assert.equal((await verifyRegistry(jws, ed.certPem)).version, 2);
  const [h, p, s] = jws.split('.');
  assert.equal(
    crypto.verify(
      null,
      Buffer.from(`${h}.${p}`),
      new crypto.X509Certificate(ed.certPem).publicKey,
      Buffer.from(s!, 'base64url'),
    ),
    true,
  );
  await assert.rejects(verifyRegistry(jws, depositary.certPem), isCode('registry.depositary'));
});

test('rollback rules', () => {
  const sha = registrySha256(registry);
  assert.doesNotThrow(() => acceptRegistry(null, registry, sha));
  assert.doesNotThrow(() => acceptRegistry({ version: 2, sha256: sha }, registry, sha));
  assert.doesNotThrow(() => acceptRegistry({ version: 1, sha256: 'aa' }, registry, sha));
  assert.throws(() => acceptRegistry({ version: 3, sha256: 'aa' }, registry, sha), isCode('registry.rollback'));
  const changed = { ...registry, issuedAt: '2026-03-02T10:00:00Z' };
  assert.throws(
    () => acceptRegistry({ version: 2, sha256: sha }, changed, registrySha256(changed)),
    isCode('registry.rollback'),
  );
});
