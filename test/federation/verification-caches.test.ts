// Issue 16 item 3: what the receiving side remembers per certificate (its
// parsed facts, the CA's signature on it, its key's algorithm and imported
// public key) must never stand in for what depends on the time or on the
// registry. A certificate the caches have seen valid is refused once the
// registry revokes it and at a time past its validity, and another
// certificate naming the same body is judged on its own.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalBytes, signCompact } from '../../src/adapters/crypto/jws.js';
import {
  certificateInfo,
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import { MESSAGE_JWS_TYPE, type Federation } from '../../src/adapters/federation/context.js';
import { verifySigned } from '../../src/adapters/federation/inbound.js';
import { EixError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/messages.js';
import { aRequest } from '../support/requests.js';
import { startTestFederation } from '../support/federation.js';

describe('issue 16: certificate caches keep every check', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let kz: Federation;
  let ruBody: CertAndKey;
  let ruCa: CertAndKey;

  before(async () => {
    fed = await startTestFederation();
    kz = fed.nodes.KZ.wired.federation!;
    const keys = path.join(fed.dir, 'ru', 'keys', 'bodies');
    ruBody = {
      certPem: await readFile(path.join(keys, 'ru-fssp-77.crt'), 'utf8'),
      keyPem: await readFile(path.join(keys, 'ru-fssp-77.key'), 'utf8'),
    };
    ruCa = {
      certPem: await readFile(path.join(fed.dir, 'pki', 'ru', 'party-ca.crt'), 'utf8'),
      keyPem: await readFile(path.join(fed.dir, 'pki', 'ru', 'party-ca.key'), 'utf8'),
    };
  });
  after(async () => {
    await fed.close();
  });

  const message = (): Message => ({
    envelope: {
      id: randomUUID(),
      type: 'request',
      schemaVersion: 1,
      from: { party: 'RU', body: 'ru-fssp-77' },
      to: { party: 'KZ', body: 'kz-central' },
      createdAt: new Date().toISOString(),
      officer: { id: 'x', name: 'Петрова А. С.', position: 'судебный пристав-исполнитель' },
    },
    body: { request: { ...aRequest(), requestingBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП' } } },
  });
  const sign = (key: CertAndKey, m: Message = message()) =>
    signCompact(canonicalBytes(m), key.keyPem, key.certPem, MESSAGE_JWS_TYPE);
  const verify = (jws: string, f: Federation = kz, at: Date = new Date()) =>
    verifySigned(f, jws, MESSAGE_JWS_TYPE, { party: 'RU', at: () => at });
  async function refusedFor(p: Promise<unknown>, code: string, reason?: string): Promise<void> {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof EixError, String(e));
      assert.equal(e.code, code, e.message);
      if (reason) assert.equal(e.data.reason, reason);
      return true;
    });
  }

  test('a certificate seen valid is refused once the registry revokes it (registry updated)', async () => {
    await verify(await sign(ruBody)); // the caches have now seen it, valid
    await verify(await sign(ruBody));
    const serialNumber = certificateInfo(ruBody.certPem).serialNumber;
    const revoked: Federation = {
      ...kz,
      registry: () => ({
        ...kz.registry(),
        revocations: [{ serialNumber, party: 'RU', revokedAt: new Date(Date.now() - 60_000).toISOString() }],
      }),
    };
    await refusedFor(verify(await sign(ruBody), revoked), 'message.certificate', 'revoked');
    // Signed before the revocation took effect: still valid at that time.
    await verify(await sign(ruBody), revoked, new Date(Date.now() - 120_000));
  });

  test('a certificate seen valid is refused at a time past its validity, and before it', async () => {
    const shortLived = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp-77',
      bodyName: 'ГУФССП России по г. Москве',
      issuer: ruCa,
      notBefore: new Date(Date.now() - 3_600_000),
      validDays: 1,
    });
    const jws = await sign(shortLived);
    await verify(jws);
    await verify(jws);
    await refusedFor(verify(jws, kz, new Date(Date.now() + 2 * 86_400_000)), 'message.certificate', 'expired');
    await refusedFor(verify(jws, kz, new Date(Date.now() - 86_400_000)), 'message.certificate', 'not_yet_valid');
    await verify(jws);
  });

  test('another certificate with the same body id is judged on its own (chain, key)', async () => {
    await verify(await sign(ruBody));
    // The body's seal renewed by its Party CA: another certificate and key, valid on its own.
    const renewed = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp-77',
      bodyName: 'ГУФССП России по г. Москве',
      issuer: ruCa,
    });
    await verify(await sign(renewed));
    // Same body id from a CA the registry does not list for RU: refused although the body id was seen valid.
    const rogueCa = await createPartyCa({
      party: 'RU',
      name: 'Чужой УЦ',
      issuer: await createDepositaryCa({ name: 'Чужой центр' }),
    });
    const rogue = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp-77',
      bodyName: 'ГУФССП России по г. Москве',
      issuer: rogueCa,
    });
    await refusedFor(verify(await sign(rogue)), 'message.certificate', 'signature');
    // Signed with the old key, the renewed certificate in x5c: the key is the certificate's own, not the body's.
    const swapped = await sign({ keyPem: ruBody.keyPem, certPem: renewed.certPem });
    await refusedFor(verify(swapped), 'message.signature');
    const swappedBack = await sign({ keyPem: renewed.keyPem, certPem: ruBody.certPem });
    await refusedFor(verify(swappedBack), 'message.signature');
  });
});
