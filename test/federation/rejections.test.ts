// What a node refuses, each with its code, storing nothing but an audit entry:
// wrong client certificates, revoked or expired body certificates, tampered
// documents, replays, unknown types, schema violations, oversized payloads,
// Parties not bound that day, and registries that are forged or older.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { acceptMessage } from '../../src/adapters/federation/inbound.js';
import { canonicalBytes, signCompact } from '../../src/adapters/crypto/jws.js';
import { MESSAGE_JWS_TYPE, FEDERATION_PATH, type Federation } from '../../src/adapters/federation/context.js';
import {
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  issueNodeCertificate,
  certificateInfo,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import { signRegistry } from '../../src/adapters/crypto/registry-jws.js';
import { loadRegistry } from '../../src/main.js';
import { EixError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/messages.js';
import { loadTreaty } from '../../src/domain/treaty.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { aRequest } from '../support/requests.js';
import { ruKeys, startTestFederation } from '../support/federation.js';
import { ENGINES } from '../support/db.js';

describe('federation rejections', () => {
  let fed: RunningDemo & { dir: string; close(): Promise<void> };
  let kzFed: Federation;
  let ruBodyKey: CertAndKey;
  let ruNodeCert: string;
  let ruCa: CertAndKey;

  before(async () => {
    fed = await startTestFederation();
    kzFed = fed.nodes.KZ.wired.federation!;
    ({ body: ruBodyKey, nodeCert: ruNodeCert, ca: ruCa } = await ruKeys(fed.dir));
  });
  after(async () => {
    await fed.close();
  });

  const requestMessage = (
    over: Partial<Message['envelope']> = {},
    body: Record<string, unknown> = {
      request: { ...aRequest(), requestingBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' } },
    },
  ): Message => ({
    envelope: {
      id: randomUUID(),
      type: 'request',
      schemaVersion: 1,
      from: { party: 'RU', body: 'ru-fssp-77' },
      to: { party: 'KZ', body: 'kz-central' },
      createdAt: new Date().toISOString(),
      officer: { id: 'x', name: 'Петрова А. С.', position: 'судебный пристав-исполнитель' },
      ...over,
    },
    body,
  });
  const sign = (m: Message, key: CertAndKey = ruBodyKey) =>
    signCompact(canonicalBytes(m), key.keyPem, key.certPem, MESSAGE_JWS_TYPE);
  const kzRequests = async () =>
    Number(
      (
        await fed.nodes.KZ.wired.ctx.db
          .selectFrom('requests')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function refused(jws: string, code: string, f: Federation = kzFed, peer = ruNodeCert): Promise<void> {
    const before = await kzRequests();
    await assert.rejects(
      acceptMessage(f, jws, { certPem: peer }),
      (e: unknown) =>
        (e instanceof EixError && e.code === code) ||
        assert.fail(`expected ${code}, got ${(e as EixError).code}: ${(e as Error).message}`),
    );
    assert.equal(await kzRequests(), before, 'nothing stored');
  }

  test('a valid message is accepted (control case)', async () => {
    const r = await acceptMessage(kzFed, await sign(requestMessage()), { certPem: ruNodeCert });
    assert.equal(r.duplicate, false);
  });

  test('tampered body or envelope: the signature no longer verifies', async () => {
    const jws = await sign(requestMessage());
    const [h, p, s] = jws.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Message;
    const tamperedBody = structuredClone(payload);
    (tamperedBody.body.request as { debtor: { surname: string } }).debtor.surname = 'Петров';
    await refused(`${h}.${Buffer.from(JSON.stringify(tamperedBody)).toString('base64url')}.${s}`, 'message.signature');
    const tamperedEnvelope = structuredClone(payload);
    tamperedEnvelope.envelope.to.body = 'kz-almaty';
    await refused(
      `${h}.${Buffer.from(JSON.stringify(tamperedEnvelope)).toString('base64url')}.${s}`,
      'message.signature',
    );
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>;
    await refused(
      `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${p}.`,
      'message.signature',
    );
    await refused(
      `${Buffer.from(JSON.stringify({ ...header, alg: 'HS256' })).toString('base64url')}.${p}.${s}`,
      'message.signature',
    );
  });

  test('a replayed message id with a different body is refused; the same document gets its first receipt, the resend counted', async () => {
    const m = requestMessage();
    const first = await sign(m);
    const resends = async () =>
      (
        await fed.nodes.KZ.wired.ctx.db
          .selectFrom('inbox')
          .select('resends')
          .where('message_id', '=', m.envelope.id)
          .executeTakeFirstOrThrow()
      ).resends;
    const r1 = await acceptMessage(kzFed, first, { certPem: ruNodeCert });
    assert.equal(await resends(), 0);
    const r2 = await acceptMessage(kzFed, first, { certPem: ruNodeCert });
    assert.deepEqual([r2.duplicate, r2.receiptJws], [true, r1.receiptJws]);
    assert.equal(await resends(), 1, 'the resend answered is counted on the inbox row');
    await refused(
      await sign({ ...m, body: { request: { ...(m.body.request as object), grounds: 'Иное основание' } } }),
      'message.replay',
    );
    assert.equal(await resends(), 1, 'a replay is not a resend');
  });

  test('unknown type, schema violation, wrong recipient, clock skew', async () => {
    await refused(await sign(requestMessage({ type: 'greeting' })), 'message.type');
    await refused(await sign(requestMessage({}, { request: { items: 'всё' } })), 'message.schema');
    await refused(await sign(requestMessage({ to: { party: 'KZ', body: 'kz-nowhere' } })), 'message.recipient');
    await refused(
      await sign(requestMessage({ createdAt: new Date(Date.now() + 20 * 60_000).toISOString() })),
      'message.clock',
    );
  });

  test('a body certificate of another body, another Party, expired or revoked is refused', async () => {
    const other = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp-78',
      bodyName: 'ГУФССП по СПб',
      issuer: ruCa,
    });
    await refused(await sign(requestMessage(), other), 'message.sender');
    const kzCa = {
      certPem: await readFile(path.join(fed.dir, 'pki', 'kz', 'party-ca.crt'), 'utf8'),
      keyPem: await readFile(path.join(fed.dir, 'pki', 'kz', 'party-ca.key'), 'utf8'),
    };
    const foreign = await issueBodyCertificate({
      party: 'KZ',
      bodyId: 'ru-fssp-77',
      bodyName: 'Подложный орган',
      issuer: kzCa,
    });
    await refused(await sign(requestMessage(), foreign), 'message.sender');
    const rogueRoot = await createDepositaryCa({ name: 'Чужой центр' });
    const rogueCa = await createPartyCa({ party: 'RU', name: 'Чужой УЦ', issuer: rogueRoot });
    await refused(
      await sign(
        requestMessage(),
        await issueBodyCertificate({ party: 'RU', bodyId: 'ru-fssp-77', bodyName: 'ГУФССП', issuer: rogueCa }),
      ),
      'message.certificate',
    );
    const expired = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp-77',
      bodyName: 'ГУФССП',
      issuer: ruCa,
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      validDays: 1,
    });
    await refused(await sign(requestMessage(), expired), 'message.certificate');
    const serial = certificateInfo(ruBodyKey.certPem).serialNumber;
    const revoked: Federation = {
      ...kzFed,
      registry: () => ({
        ...kzFed.registry(),
        revocations: [{ serialNumber: serial, party: 'RU', revokedAt: new Date(Date.now() - 60_000).toISOString() }],
      }),
    };
    await refused(await sign(requestMessage()), 'message.certificate', revoked);
  });

  test('the TLS peer must be a node of the sending Party registered in the registry', async () => {
    const kzNode = (await readFile(path.join(fed.dir, 'kz', 'keys', 'tls', 'node-chain.crt'), 'utf8')).split(
      /(?<=-----END CERTIFICATE-----\n)/,
    )[0]!;
    await refused(await sign(requestMessage()), 'message.sender', kzFed, kzNode);
    const stray = await issueNodeCertificate({ party: 'RU', nodeId: 'ru-stray', hosts: ['127.0.0.1'], issuer: ruCa });
    await refused(await sign(requestMessage()), 'message.tls', kzFed, stray.certPem);
  });

  test('R-pair: a request from a Party the Agreement does not bind that day is refused', async () => {
    const withoutRu = loadTreaty({
      events: kzFed.registry().treaty.events.filter((e) => !(e.type === 'notification' && e.party === 'RU')),
    });
    const unbound: Federation = { ...kzFed, app: { ...kzFed.app, treaty: () => withoutRu } };
    await refused(await sign(requestMessage()), 'registry.pair', unbound);
  });

  test('transport: no client certificate, or one from outside the depositary’s tree, cannot even connect; oversized payloads get 413', async () => {
    const url = new URL(FEDERATION_PATH, kzFed.registry().parties.KZ!.nodes[0]!.url);
    const post = (opts: { key?: string; cert?: string }, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          url,
          { method: 'POST', ca: kzFed.tls.rootPem, ...opts, headers: { 'content-type': 'application/jose' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    await assert.rejects(post({}, 'x'));
    const rogueRoot = await createDepositaryCa({ name: 'Чужой центр' });
    const rogueNode = await issueNodeCertificate({
      party: 'RU',
      nodeId: 'ru-node',
      hosts: ['127.0.0.1'],
      issuer: await createPartyCa({ party: 'RU', name: 'x', issuer: rogueRoot }),
    });
    await assert.rejects(post({ key: rogueNode.keyPem, cert: rogueNode.certPem }, 'x'));
    const ru = fed.nodes.RU.wired.federation!.tls;
    assert.equal(await post({ key: ru.keyPem, cert: ru.certChainPem }, 'x'.repeat(41 * 1024 * 1024)), 413);
    assert.equal(await post({ key: ru.keyPem, cert: ru.certChainPem, ...{} }, 'not a jws'), 400);
  });

  test('a registry with a bad signature, another depositary or an older version is refused by the node', async () => {
    const e = ENGINES[0]!;
    const database = await e.open();
    try {
      const depositary = {
        certPem: await readFile(path.join(fed.dir, 'pki', 'depositary.crt'), 'utf8'),
        keyPem: await readFile(path.join(fed.dir, 'pki', 'depositary.key'), 'utf8'),
      };
      const base = kzFed.registry();
      const v2 = await signRegistry({ ...base, version: 2 }, depositary);
      assert.equal((await loadRegistry(v2, depositary.certPem, database))!.version, 2);
      await assert.rejects(
        loadRegistry(await signRegistry({ ...base, version: 1 }, depositary), depositary.certPem, database),
        (x: EixError) => x.code === 'registry.rollback',
      );
      await assert.rejects(
        loadRegistry(
          await signRegistry({ ...base, version: 2, issuedAt: new Date().toISOString() }, depositary),
          depositary.certPem,
          database,
        ),
        (x: EixError) => x.code === 'registry.rollback',
      );
      const [h, p, s] = v2.split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), version: 3 }),
      ).toString('base64url');
      await assert.rejects(
        loadRegistry(`${h}.${forged}.${s}`, depositary.certPem, database),
        (x: EixError) => x.code === 'registry.signature',
      );
      const other = await createDepositaryCa({ name: 'Другой депозитарий' });
      await assert.rejects(
        loadRegistry(await signRegistry({ ...base, version: 3 }, other), depositary.certPem, database),
        (x: EixError) => ['registry.depositary', 'registry.signature'].includes(x.code),
      );
      assert.equal(
        (await loadRegistry(await signRegistry({ ...base, version: 3 }, depositary), depositary.certPem, database))!
          .version,
        3,
      );
    } finally {
      await database.close();
    }
  });
});
