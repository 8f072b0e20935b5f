// Issue 15.1: body seal certificates as a workflow — the key and CSR are made on the node when a body is
// added, the Party CA issues the certificate on the CSR, the administrator imports it after it is checked as
// a receiving node checks it, and until then the body's officers cannot sign (nothing stored or queued).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto, createPrivateKey } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { fileBodySeals } from '../../src/adapters/crypto/file-body-seals.js';
import {
  certificateInfo,
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  issueBodyCertificateFromRequest,
  verifyCertificate,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import { fileBodySigner, readCompact, verifyCompact } from '../../src/adapters/federation/jws.js';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { addBody } from '../../src/app/add-body.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { askProtectionMeasures } from '../../src/app/ask-protection-measures.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getBodySeal } from '../../src/app/get-body-seal.js';
import { importBodyCertificate } from '../../src/app/import-body-certificate.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { refuseRequest } from '../../src/app/refuse-request.js';
import { requestBodySeal } from '../../src/app/request-body-seal.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { TrustRegistry } from '../../src/ports/registry.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { nodeOn, seedOfficer, type TestNode } from '../support/app.js';
import { aRequest } from '../support/requests.js';

const CLI: Actor = { kind: 'system', name: 'cli' };
const DAY = 86_400_000;
const example = aRequest();

for (const e of ENGINES) {
  describe(`body seals on ${e.engine}`, () => {
    let node: TestNode;
    let ctx: AppContext;
    let dir: string;
    let ruCa: CertAndKey;
    let kzCa: CertAndKey;
    let bodyId: string;
    let officer: Officer;
    let admin: Officer;
    let draftId: string;

    const keysDir = () => path.join(dir, 'keys', 'bodies');
    const csrOf = async () => readFile(path.join(keysDir(), `${bodyId}.csr`), 'utf8');
    const issue = async (csrPem: string, over: { validDays?: number; notBefore?: Date; ca?: CertAndKey } = {}) =>
      (
        await issueBodyCertificateFromRequest({
          csrPem,
          issuer: over.ca ?? ruCa,
          notBefore: over.notBefore ?? new Date(node.clock.now().getTime() - 3_600_000),
          ...(over.validDays !== undefined ? { validDays: over.validDays } : {}),
        })
      ).certPem;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'eix-seal-'));
      const root = await createDepositaryCa({ name: 'Депозитарий' });
      ruCa = await createPartyCa({ party: 'RU', name: 'УЦ России', issuer: root });
      kzCa = await createPartyCa({ party: 'KZ', name: 'УЦ Казахстана', issuer: root });
      const base = nodeOn(await e.open(), 'RU');
      const registry = {
        current: () => ({ parties: { RU: { caCertificates: [ruCa.certPem] } }, revocations: [] }),
      } as unknown as TrustRegistry;
      ctx = { ...base.ctx, seals: fileBodySeals(keysDir()), registry };
      node = { ...base, ctx };
      bodyId = 'ru-fssp-77'; // a body RU designated (R18), as a new one must be before it can send
      await addBody(ctx, CLI, { id: bodyId, name: 'ГУФССП России по Московской области', kind: 'territorial' });
      officer = await seedOfficer(ctx, bodyId, ['officer']);
      admin = await seedOfficer(ctx, bodyId, ['admin']);
      const proceedingId = (
        await createProceeding(ctx, officer, {
          number: '777/26/50001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      draftId = (
        await draftRequest(ctx, officer, {
          proceedingId,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
          items: example.items,
          grounds: example.grounds,
        })
      ).id;
    });
    after(async () => {
      await node.database.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('adding a body makes its signing key (0600, in the node home, not the database) and a CSR naming the body', async () => {
      const key = await stat(path.join(keysDir(), `${bodyId}.req.key`));
      assert.equal(key.mode & 0o777, 0o600);
      const csr = new x509.Pkcs10CertificateRequest(await csrOf());
      assert.ok(await csr.verify());
      assert.equal(csr.subjectName.getField('C')[0], 'RU');
      assert.equal(csr.subjectName.getField('CN')[0], 'ГУФССП России по Московской области');
      const body = await ctx.db.selectFrom('bodies').selectAll().where('id', '=', bodyId).executeTakeFirstOrThrow();
      assert.doesNotMatch(JSON.stringify(body), /PRIVATE KEY|CERTIFICATE REQUEST/);
      const seal = await getBodySeal(ctx, admin, bodyId);
      assert.equal(seal?.state, 'pending');
      assert.equal(seal?.canSign, false);
    });

    test('no seal certificate: signing is refused in Russian before anything is numbered, stored or queued', async () => {
      const err = await rejects(signRequest(ctx, officer, { requestId: draftId }), 'signer.no_certificate');
      assert.match(err.message, /нет сертификата печати/);
      const row = await ctx.db
        .selectFrom('requests')
        .select(['state', 'number', 'message_id'])
        .where('id', '=', draftId)
        .executeTakeFirstOrThrow();
      assert.deepEqual({ ...row }, { state: 'draft', number: '', message_id: null });
      const queued = await ctx.db.selectFrom('outbox').select('id').execute();
      assert.equal(queued.length, 0);
      const counters = await ctx.db.selectFrom('request_counters').selectAll().where('body_id', '=', bodyId).execute();
      assert.equal(counters.length, 0);
    });

    test('no seal certificate: no message of any type is queued for the body — an answer, a refusal, a step, a query', async () => {
      // ru-fssp-78 is designated by RU (R18) and was added on the node: key and CSR made, no certificate yet.
      const other = 'ru-fssp-78';
      await addBody(ctx, CLI, { id: other, name: 'ГУФССП России по г. Санкт-Петербургу', kind: 'territorial' });
      const executor = await seedOfficer(ctx, other, ['officer']);
      const kzBody = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };
      const incoming = await receiveRequest(ctx, CLI, {
        messageId: 'kz-to-ru-fssp-78-0001',
        fromBody: kzBody,
        toBodyId: other,
        receivedAt: node.clock.now().toISOString(),
        document: aRequest((r) => {
          r.number = '01/26/000001';
          r.requestingBody = kzBody;
          if (r.proceeding) r.proceeding.bodyId = kzBody.id;
          r.requestedBody = { id: other, party: 'RU', name: 'ГУФССП России по г. Санкт-Петербургу' };
        }),
      });
      const requestId = incoming.id;
      const supervisor = await seedOfficer(ctx, other, ['supervisor']);
      // One at a time (PGlite holds one connection), each a step an officer of the body takes.
      const refused: (() => Promise<unknown>)[] = [
        () => answerRequest(ctx, executor, { requestId, final: false, items: [{ itemNo: 4, outcome: 'not_found' }] }),
        () =>
          refuseRequest(ctx, executor, {
            requestId,
            ground: 'law',
            circumstances: 'Исполнение противоречит законодательству',
          }),
        () =>
          actOnRequest(ctx, executor, {
            requestId,
            step: 'notify_delay',
            data: { newDate: '2027-02-15', reason: 'Ожидается ответ банка' },
          }),
        () => askProtectionMeasures(ctx, supervisor, { party: 'KZ' }),
      ];
      for (const attempt of refused) {
        const err = await rejects(attempt(), 'signer.no_certificate');
        assert.match(err.message, /нет сертификата печати/);
      }
      assert.equal((await ctx.db.selectFrom('outbox').select('message_id').execute()).length, 0, 'nothing queued');
      assert.equal((await ctx.db.selectFrom('answers').select('id').execute()).length, 0, 'no answer stored');
      assert.equal((await ctx.db.selectFrom('protection_queries').select('id').execute()).length, 0);
      const row = await ctx.db
        .selectFrom('requests')
        .select('state')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      assert.equal(row.state, 'received', 'the request is as it came');
    });

    test('a certificate on another key is refused: seal.key_mismatch', async () => {
      // The old path: the CA made a key of its own for the body — not the key the node holds.
      const other = await issueBodyCertificate({ party: 'RU', bodyId, bodyName: 'ГУФССП', issuer: ruCa });
      const err = await rejects(
        importBodyCertificate(ctx, admin, { bodyId, certPem: other.certPem }),
        'seal.key_mismatch',
      );
      assert.match(err.message, /не на ключ органа/);
    });

    test('a certificate from a CA other than the Party CA of the registry is refused: seal.issuer', async () => {
      const err = await rejects(
        importBodyCertificate(ctx, admin, { bodyId, certPem: await issue(await csrOf(), { ca: kzCa }) }),
        'seal.issuer',
      );
      assert.match(err.message, /удостоверяющим центром Стороны RU/);
    });

    test('an expired or not yet valid certificate is refused with its date', async () => {
      const old = await issue(await csrOf(), {
        notBefore: new Date(node.clock.now().getTime() - 40 * DAY),
        validDays: 30,
      });
      const err = await rejects(importBodyCertificate(ctx, admin, { bodyId, certPem: old }), 'seal.expired');
      assert.match(err.message, /истёк \d{2}\.\d{2}\.\d{4}/);
      const later = await issue(await csrOf(), { notBefore: new Date(node.clock.now().getTime() + 2 * DAY) });
      await rejects(importBodyCertificate(ctx, admin, { bodyId, certPem: later }), 'seal.not_yet_valid');
    });

    test('a certificate on the right key naming another body is refused: seal.subject', async () => {
      // A CSR signed with the body's own pending key but asking for another body.
      const der = createPrivateKey(await readFile(path.join(keysDir(), `${bodyId}.req.key`), 'utf8')).export({
        type: 'pkcs8',
        format: 'der',
      });
      x509.cryptoProvider.set(webcrypto as never);
      const alg = { name: 'ECDSA', namedCurve: 'P-256' };
      const privateKey = await webcrypto.subtle.importKey('pkcs8', der, alg, true, ['sign']);
      const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
      const publicKey = await webcrypto.subtle.importKey(
        'jwk',
        { ...jwk, d: undefined, key_ops: ['verify'] },
        alg,
        true,
        ['verify'],
      );
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: 'CN=Чужой орган, C=RU',
        keys: { privateKey, publicKey } as never,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'urn:eix:body:ru-other' }])],
      });
      const err = await rejects(
        importBodyCertificate(ctx, admin, { bodyId, certPem: await issue(csr.toString('pem')) }),
        'seal.subject',
      );
      assert.match(err.message, /ru-other/);
      await rejects(importBodyCertificate(ctx, admin, { bodyId, certPem: 'не сертификат' }), 'pki.certificate');
      await rejects(
        importBodyCertificate(ctx, officer, { bodyId, certPem: await issue(await csrOf()) }),
        'access.denied',
      );
      assert.equal((await getBodySeal(ctx, admin, bodyId))?.state, 'pending', 'nothing installed by a refusal');
    });

    test('the right certificate is installed; the officer signs and the message verifies as a receiver checks it', async () => {
      const certPem = await issue(await csrOf());
      const seal = await importBodyCertificate(ctx, admin, { bodyId, certPem });
      assert.equal(seal.state, 'valid');
      assert.equal(seal.csrPem, null);
      assert.equal((await stat(path.join(keysDir(), `${bodyId}.key`))).mode & 0o777, 0o600);
      const signed = await signRequest(ctx, officer, { requestId: draftId });
      assert.equal(signed.state, 'signed');
      // What the outbox worker does at sending, and what the receiving node checks (inbound.ts).
      const jws = await fileBodySigner(keysDir()).sign(bodyId, new TextEncoder().encode('{"a":1}'), 'eix-message+jws');
      const u = readCompact(jws, 'eix-message+jws');
      assert.equal(certificateInfo(u.certPem).bodyId, bodyId);
      assert.equal(certificateInfo(u.certPem).party, 'RU');
      assert.deepEqual(await verifyCertificate(u.certPem, ruCa.certPem, node.clock.now()), { ok: true });
      await verifyCompact(jws, u.certPem);
    });

    test('R18: a body with a valid seal but not designated by its Party cannot sign a request (receivers would refuse it)', async () => {
      // ru-fssp-50 is not among RU's designated bodies in the registry in force.
      const undesignated = 'ru-fssp-50';
      await addBody(ctx, CLI, { id: undesignated, name: 'ГУФССП России по Московской области', kind: 'territorial' });
      const csrPem = await readFile(path.join(keysDir(), `${undesignated}.csr`), 'utf8');
      const seal = await importBodyCertificate(ctx, admin, { bodyId: undesignated, certPem: await issue(csrPem) });
      assert.deepEqual([seal.canSign, seal.designated], [true, false]);
      assert.equal((await getBodySeal(ctx, admin, bodyId))!.designated, true, 'ru-fssp-77 is designated');
      const author = await seedOfficer(ctx, undesignated, ['officer']);
      const proceedingId = (
        await createProceeding(ctx, author, {
          number: '5050/26/50001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      const draft = await draftRequest(ctx, author, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: example.items,
        grounds: example.grounds,
      });
      const queued = (await ctx.db.selectFrom('outbox').select('message_id').execute()).length;
      const err = await rejects(signRequest(ctx, author, { requestId: draft.id }), 'request.invalid');
      const problems = err.data.problems as { code: string; path: string; message: string }[];
      const r18 = problems.find((x) => x.code === 'R18.designated');
      assert.ok(r18, JSON.stringify(problems));
      assert.equal(r18.path, 'requestingBody.id');
      assert.match(r18.message, /ГУФССП России по Московской области.*не назначен Стороной/);
      assert.equal((await ctx.db.selectFrom('outbox').select('message_id').execute()).length, queued, 'nothing queued');
    });

    test('expiring within 30 days is flagged; expired refuses signing; a rotation keeps the old certificate', async () => {
      const signer = fileBodySigner(keysDir());
      const before = (await getBodySeal(ctx, admin, bodyId))!;
      const notAfter = Date.parse(before.certificate!.notAfter);
      node.clock.set(new Date(notAfter - 10 * DAY).toISOString());
      const soon = (await getBodySeal(ctx, officer, bodyId))!;
      assert.equal(soon.state, 'expiring');
      assert.equal(soon.canSign, true);
      // Rotation: a new key and CSR; the current seal keeps signing until the new certificate is imported.
      const { csrPem } = await requestBodySeal(ctx, admin, bodyId);
      assert.equal((await getBodySeal(ctx, admin, bodyId))!.canSign, true);
      const oldJws = await signer.sign(bodyId, new TextEncoder().encode('{"old":1}'), 'eix-message+jws');
      const next = await importBodyCertificate(ctx, admin, { bodyId, certPem: await issue(csrPem) });
      assert.equal(next.state, 'valid');
      assert.deepEqual(next.previous, [before.certificate!.serialNumber]);
      // A message signed before the rotation carries the old certificate and still verifies.
      const old = readCompact(oldJws, 'eix-message+jws');
      await verifyCompact(oldJws, old.certPem);
      assert.equal(certificateInfo(old.certPem).serialNumber, before.certificate!.serialNumber);
      // The running signer picks up the new certificate.
      const newJws = await signer.sign(bodyId, new TextEncoder().encode('{"new":1}'), 'eix-message+jws');
      assert.equal(
        certificateInfo(readCompact(newJws, 'eix-message+jws').certPem).serialNumber,
        next.certificate!.serialNumber,
      );
      // Past the new certificate's end: no signature.
      node.clock.set(new Date(Date.parse(next.certificate!.notAfter) + DAY).toISOString());
      assert.equal((await getBodySeal(ctx, admin, bodyId))!.state, 'expired');
      const draft2 = await ctx.db
        .selectFrom('requests')
        .select('id')
        .where('state', '=', 'draft')
        .where('body_id', '=', bodyId)
        .execute();
      assert.equal(draft2.length, 0);
    });
  });
}
