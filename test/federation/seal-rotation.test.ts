// Issue 15.1, rotation keeps old messages verifiable (docs/MESSAGES.md §4: each message carries its own
// certificate in x5c). On a running federation RU's central body signs a message with its seal and the first
// delivery fails (KZ unreachable): the signed bytes wait in the outbox. The administrator rotates the seal (a new
// key and CSR, the certificate issued by RU's Party CA, imported); the retry sends the bytes signed before the
// rotation and KZ accepts them (the old certificate is not replaced by the body's new one on the receiving
// side); a message signed after it carries the new certificate and is accepted too; KZ still verifies both.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalBytes } from '../../src/adapters/crypto/jws.js';
import { certificateInfo, issueBodyCertificateFromRequest } from '../../src/adapters/crypto/pki.js';
import { MESSAGE_JWS_TYPE, type Federation } from '../../src/adapters/federation/context.js';
import { acceptMessage } from '../../src/adapters/federation/inbound.js';
import { readCompact, verifyCompact } from '../../src/adapters/federation/jws.js';
import { deliver } from '../../src/adapters/federation/outbound.js';
import { composeMessage } from '../../src/app/compose-message.js';
import { getBodySeal } from '../../src/app/get-body-seal.js';
import { importBodyCertificate } from '../../src/app/import-body-certificate.js';
import { requestBodySeal } from '../../src/app/request-body-seal.js';
import { claimedQuery, officer, outboxRow, startTestFederation } from '../support/federation.js';
import { openSealedJws } from '../../src/app/stored-jws.js';

describe('issue 15.1: a seal rotation keeps what was signed before it verifiable', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let ru: Federation;
  let kz: Federation;

  before(async () => {
    fed = await startTestFederation();
    await fed.nodes.RU.worker!.stop();
    ru = fed.nodes.RU.wired.federation!;
    kz = fed.nodes.KZ.wired.federation!;
  });
  after(async () => {
    await fed?.close();
  });

  /** RU's federation as if KZ's node did not answer (its address in the registry leads nowhere). */
  const kzUnreachable = (): Federation => ({
    ...ru,
    registry: () => {
      const r = ru.registry();
      const kzParty = r.parties.KZ!;
      return {
        ...r,
        parties: { ...r.parties, KZ: { ...kzParty, nodes: [{ ...kzParty.nodes[0]!, url: 'https://127.0.0.1:9' }] } },
      };
    },
  });
  const sealedBytes = async (messageId: string) => {
    const row = await outboxRow(ru, messageId);
    return openSealedJws(ru.app, row.signed_enc!, `outbox:${messageId}`);
  };

  test('a message signed before the rotation is delivered after it and accepted; one signed after carries the new seal', async () => {
    const admin = await officer(fed.nodes.RU, 'ru.admin');
    const before = (await getBodySeal(ru.app, admin, 'ru-fssp'))!;
    assert.equal(before.canSign, true);

    // Signed with the current seal; the first attempt fails, the bytes wait in the outbox.
    const row = await claimedQuery(ru);
    assert.equal(await deliver(kzUnreachable(), row), false);
    const waiting = await outboxRow(ru, row.message_id);
    assert.equal(waiting.status, 'pending');
    const oldJws = await sealedBytes(row.message_id);
    assert.equal(
      certificateInfo(readCompact(oldJws, MESSAGE_JWS_TYPE).certPem).serialNumber,
      before.certificate!.serialNumber,
    );

    // The rotation: a new key and CSR on the node, the certificate from RU's Party CA, imported.
    const { csrPem } = await requestBodySeal(ru.app, admin, 'ru-fssp');
    const ca = {
      certPem: await readFile(path.join(fed.dir, 'pki', 'ru', 'party-ca.crt'), 'utf8'),
      keyPem: await readFile(path.join(fed.dir, 'pki', 'ru', 'party-ca.key'), 'utf8'),
    };
    const { certPem } = await issueBodyCertificateFromRequest({
      csrPem,
      issuer: ca,
      notBefore: new Date(Date.now() - 60_000),
    });
    const after = await importBodyCertificate(ru.app, admin, { bodyId: 'ru-fssp', certPem });
    assert.notEqual(after.certificate!.serialNumber, before.certificate!.serialNumber);
    assert.deepEqual(after.previous, [before.certificate!.serialNumber], 'the old certificate is kept beside');

    // The retry resends the bytes signed before the rotation; KZ accepts them and files them under that id.
    const retry = await ru.app.db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: waiting.attempts + 1 })
      .where('message_id', '=', row.message_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    assert.equal(await deliver(ru, retry), true, (await outboxRow(ru, row.message_id)).last_error ?? '');
    const delivered = await outboxRow(ru, row.message_id);
    assert.equal(delivered.status, 'delivered');
    const inbox = await kz.app.db
      .selectFrom('inbox')
      .select(['payload_enc', 'from_body'])
      .where('message_id', '=', row.message_id)
      .executeTakeFirstOrThrow();
    const held = await openSealedJws(kz.app, inbox.payload_enc!, `inbox:${row.message_id}`);
    assert.equal(held, oldJws, 'KZ holds the bytes signed with the old seal');
    assert.equal(inbox.from_body, 'ru-fssp');

    // Signed after the rotation: the new certificate in x5c, accepted as well.
    const next = await claimedQuery(ru);
    const m = await composeMessage(ru.app, next);
    const newJws = await ru.signer.sign('ru-fssp', canonicalBytes(m), MESSAGE_JWS_TYPE);
    const newCert = readCompact(newJws, MESSAGE_JWS_TYPE).certPem;
    assert.equal(certificateInfo(newCert).serialNumber, after.certificate!.serialNumber);
    const ruNode = (await readFile(path.join(fed.dir, 'ru', 'keys', 'tls', 'node-chain.crt'), 'utf8')).split(
      /(?<=-----END CERTIFICATE-----\n)/,
    )[0]!;
    assert.equal((await acceptMessage(kz, newJws, { certPem: ruNode })).duplicate, false);

    // Both stay verifiable, each with the certificate it carries (as an auditor or a court would check them).
    for (const jws of [oldJws, newJws]) await verifyCompact(jws, readCompact(jws, MESSAGE_JWS_TYPE).certPem);
    // … and a second copy of the old message is recognised as the one already received, not refused.
    assert.equal((await acceptMessage(kz, oldJws, { certPem: ruNode })).duplicate, true);
  });
});
