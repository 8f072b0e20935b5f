// Issue 16 item 4: a JWS is stored with its protected header (alg, typ and the signer's certificate in x5c) kept
// once in jws_headers, by reference (src/app/stored-jws.ts, migration 029). What is read back — from a plain
// column or from a sealed one — must be the signed bytes exactly; a row stored whole (before 029, or with a
// header that is not shared) reads as it is; a reference whose header is missing or altered is an error, never
// another value; and one signer's documents of one type share one header row. On both engines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { canonicalBytes, sha256Hex, signCompact, verifiedPayload } from '../../src/adapters/crypto/jws.js';
import {
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import {
  openSealedJws,
  originalJws,
  originalJwsAll,
  recordJwsHeaders,
  sealJws,
  shareableHeader,
  storedJws,
  unsealedJws,
} from '../../src/app/stored-jws.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, type TestNode } from '../support/app.js';
import { rejects } from '../support/errors.js';

const TYP = 'eix-message+jws';

let body: CertAndKey;
let other: CertAndKey;
before(async () => {
  const root = await createDepositaryCa({ name: 'Депозитарий' });
  const ca = await createPartyCa({ party: 'RU', name: 'Россия', issuer: root });
  body = await issueBodyCertificate({ party: 'RU', bodyId: 'ru-fssp-77', bodyName: 'ГУФССП', issuer: ca });
  other = await issueBodyCertificate({ party: 'RU', bodyId: 'ru-fssp-78', bodyName: 'ГУФССП 78', issuer: ca });
});

const sign = (n: number, who: CertAndKey = body, typ = TYP) =>
  signCompact(canonicalBytes({ n, text: `Сообщение ${n}`, id: randomUUID() }), who.keyPem, who.certPem, typ);

/** A JWS with a header of its own making (the signature is not checked by storage). */
const withHeader = (header: Record<string, unknown>, jws: string) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}${jws.slice(jws.indexOf('.'))}`;

const headerRows = async (n: TestNode) =>
  Number(
    (
      await n.ctx.db
        .selectFrom('jws_headers')
        .select(sql<string>`count(*)`.as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** A stored JWS that cannot be read back: `internal` (a code the exchange knows), named by its reason. */
async function headerFault(p: Promise<unknown>) {
  const e = await rejects(p, 'internal');
  assert.equal(e.data.reason, 'jws_header');
  assert.equal(e.data.table, 'jws_headers');
  return e;
}

for (const e of ENGINES) {
  describe(`issue 16.4: a JWS stored with its header by reference reads back exactly (${e.engine})`, () => {
    let a: TestNode;
    let b: TestNode;
    before(async () => {
      [a, b] = await Promise.all([e.open().then((d) => nodeOn(d, 'RU')), e.open().then((d) => nodeOn(d, 'KZ'))]);
    });
    after(async () => {
      await a.database.close();
      await b.database.close();
    });

    test('plain and sealed columns give back the signed bytes; one signer and type share one header row', async () => {
      const jwses = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(i)));
      const before = await headerRows(a);
      assert.equal(storedJws(a.ctx.db, jwses[0]!), jwses[0], 'a header not recorded yet: the JWS is stored whole');
      await recordJwsHeaders(a.ctx.db, jwses);
      await recordJwsHeaders(a.ctx.db, [await sign(99)]);
      assert.equal(await headerRows(a), before + 1, 'twenty-one documents of one signer and type: one header row');
      const header = jwses[0]!.slice(0, jwses[0]!.indexOf('.'));
      assert.ok(header.length > 500, 'the header carries the certificate');
      for (const jws of jwses) {
        const stored = storedJws(a.ctx.db, jws);
        assert.match(stored, /^~[0-9a-f]{64}\./);
        assert.equal(stored.length, jws.length - header.length + 65);
        // Plain: bundle_receipts.jws; sealed: inbox.payload_enc (as the node stores them).
        const id = randomUUID();
        await a.ctx.db
          .insertInto('bundle_receipts')
          .values({
            id,
            direction: 'in',
            party: 'KZ',
            from_body: 'kz-central',
            to_body: 'ru-fssp-77',
            bundle_sha256: sha256Hex(jws),
            jws: stored,
            created_at: new Date(),
          })
          .execute();
        await a.ctx.db
          .insertInto('inbox')
          .values({
            message_id: id,
            from_party: 'KZ',
            from_body: 'kz-central',
            type: 'request',
            schema_version: 3,
            payload_enc: sealJws(a.ctx, jws, `inbox:${id}`),
            key_id: a.ctx.sealer.activeKeyId,
            receipt: JSON.stringify({ messageSha256: sha256Hex(jws) }),
            processed_at: new Date(),
          })
          .execute();
        const plain = await a.ctx.db
          .selectFrom('bundle_receipts')
          .select('jws')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        assert.equal(plain.jws, stored, 'the plain column holds the reference');
        assert.equal(await originalJws(a.ctx.db, plain.jws), jws);
        const sealed = await a.ctx.db
          .selectFrom('inbox')
          .select('payload_enc')
          .where('message_id', '=', id)
          .executeTakeFirstOrThrow();
        // Sealed, the reference form is bytes: the payload and signature without their base64url text.
        assert.equal(unsealedJws(a.ctx, sealed.payload_enc!, `inbox:${id}`), stored);
        const plainBytes = a.ctx.sealer.decrypt(sealed.payload_enc!, `inbox:${id}`);
        assert.equal(plainBytes[0], 0x21);
        const [, p, sig] = jws.split('.');
        assert.equal(
          plainBytes.length,
          1 + 32 + 4 + Buffer.from(p!, 'base64url').length + Buffer.from(sig!, 'base64url').length,
        );
        const opened = await openSealedJws(a.ctx, sealed.payload_enc!, `inbox:${id}`);
        assert.equal(opened, jws);
        assert.equal(sha256Hex(opened), sha256Hex(jws));
        assert.deepEqual(await verifiedPayload(opened, body.certPem), await verifiedPayload(jws, body.certPem));
      }
      // Read inside a transaction too (export, purge and receiving read there), mixed with whole JWSs and nulls.
      const mixed = [jwses[1]!, storedJws(a.ctx.db, jwses[2]!), null];
      assert.deepEqual(await a.ctx.db.transaction().execute((tx) => originalJwsAll(a.ctx.db, mixed, tx)), [
        jwses[1],
        jwses[2],
        null,
      ]);
    });

    test('another signer or another type is another header row; a header with any other member is stored whole', async () => {
      const before = await headerRows(a);
      const [x, y] = [await sign(1, other), await sign(2, body, 'eix-receipt+jws')];
      await recordJwsHeaders(a.ctx.db, [x, y]);
      assert.equal(await headerRows(a), before + 2);
      assert.equal(await originalJws(a.ctx.db, storedJws(a.ctx.db, x)), x);
      const jws = await sign(3);
      const parsed = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(parsed).sort(), ['alg', 'typ', 'x5c'], 'what this node signs: public members only');
      const cert = (parsed.x5c as string[])[0]!;
      for (const extra of [
        { kid: 'k1' },
        { nonce: randomUUID() },
        { crit: ['b64'] },
        { x5c: 'not an array' },
        { x5c: [cert, Buffer.from(`per message ${randomUUID()}`).toString('base64')] },
        { x5c: ['not base64!'] },
        { x5c: [] },
        { alg: 'none' },
        { typ: `eix-message+jws ${randomUUID()} Иванов` },
      ]) {
        const odd = withHeader({ ...parsed, ...extra }, jws);
        assert.equal(shareableHeader(odd), null, JSON.stringify(extra));
        await recordJwsHeaders(a.ctx.db, [odd]);
        assert.equal(storedJws(a.ctx.db, odd), odd, 'stored whole');
      }
      assert.equal(await headerRows(a), before + 2, 'no header row for them');
    });

    test('a row stored whole (before migration 029) reads as it is, sealed or plain', async () => {
      const jws = await sign(7);
      const id = randomUUID();
      assert.equal(await originalJws(a.ctx.db, jws), jws);
      const sealed = a.ctx.sealer.encrypt(Buffer.from(jws), `outbox:${id}`);
      assert.equal(await openSealedJws(a.ctx, sealed, `outbox:${id}`), jws);
      // The reference form sealed as text (a segment that is not exact base64url is never decoded to bytes).
      await recordJwsHeaders(a.ctx.db, [jws]);
      const asText = a.ctx.sealer.encrypt(Buffer.from(storedJws(a.ctx.db, jws)), `outbox:${id}`);
      assert.equal(await openSealedJws(a.ctx, asText, `outbox:${id}`), jws);
      const inexact = `${jws.slice(0, jws.lastIndexOf('.'))}.QR`;
      const kept = sealJws(a.ctx, inexact, `outbox:${id}`);
      assert.equal(unsealedJws(a.ctx, kept, `outbox:${id}`), storedJws(a.ctx.db, inexact), 'kept as text');
      assert.equal(await openSealedJws(a.ctx, kept, `outbox:${id}`), inexact);
    });

    test('a reference whose header is missing or altered is an error (internal, reason jws_header), never another value', async () => {
      const jws = await sign(8);
      await recordJwsHeaders(a.ctx.db, [jws]);
      const stored = storedJws(a.ctx.db, jws);
      // Database b never recorded that header (a row copied without it).
      const missing = await headerFault(originalJws(b.ctx.db, stored));
      assert.match(missing.message, /не найден/);
      assert.equal(missing.data.sha256, stored.slice(1, 65));
      await headerFault(openSealedJws(b.ctx, b.ctx.sealer.encrypt(Buffer.from(stored), 'outbox:x'), 'outbox:x'));
      // A header row whose text is not the one its key hashes.
      const header = jws.slice(0, jws.indexOf('.'));
      await b.ctx.db
        .insertInto('jws_headers')
        .values({ sha256: sha256Hex(header), header: header.slice(0, -1) })
        .execute();
      const altered = await headerFault(originalJws(b.ctx.db, stored));
      assert.match(altered.message, /не соответствует/);
      await headerFault(originalJws(b.ctx.db, `~${'0'.repeat(63)}.x.y`));
      // A sealed binary form cut short.
      const cut = a.ctx.sealer.decrypt(sealJws(a.ctx, jws, 'outbox:y'), 'outbox:y').subarray(0, 60);
      await headerFault(openSealedJws(a.ctx, a.ctx.sealer.encrypt(cut, 'outbox:y'), 'outbox:y'));
      // The schema refuses a key that is not a SHA-256 in hex.
      await assert.rejects(b.ctx.db.insertInto('jws_headers').values({ sha256: 'abc', header: 'e30' }).execute());
    });

    test('headers are recorded outside any transaction (a rolled-back one must not leave references to nothing)', async () => {
      const jws = await sign(9);
      await assert.rejects(
        a.ctx.db.transaction().execute((tx) => recordJwsHeaders(tx, [jws])),
        /вне транзакции/,
      );
    });
  });
}
