// Issue 16 item 4 on real nodes: every place a node keeps a JWS — the sealed signed message (outbox), the sealed
// received message (inbox), a receipt signed alone (outbox.receipt, inbox.receipt) and a bundle receipt
// (bundle_receipts, both directions) — keeps its protected header by reference to jws_headers, one row per
// signer and type however many documents; read back, each is byte for byte what was signed and sent (the
// other node holds the same bytes, the hashes match, the signature verifies, a resend gets the same receipt).
// Rows stored whole, as before migration 029, still read: the evidence pack of such an exchange verifies.
// The wire does not change: what the nodes exchange is the JWS as signed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { derBase64ToPem, sha256Hex, verifiedPayload } from '../../src/adapters/crypto/jws.js';
import { postMessage } from '../../src/adapters/federation/outbound.js';
import type { AppContext, Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { exportEvidence } from '../../src/app/export-evidence.js';
import { listRequests } from '../../src/app/list-requests.js';
import { signRequest } from '../../src/app/sign-request.js';
import { openSealedJws, originalJws, shareableHeader, unsealedJws } from '../../src/app/stored-jws.js';
import { verifyEvidence } from '../../src/app/verify-evidence.js';
import type { DemoParty, RunningDemo } from '../../src/demo/federation.js';
import { TEST_DATABASE_URL, throwawayDatabases } from '../support/db.js';
import { officer, settle, startTestFederation } from '../support/federation.js';

const KZ_CENTRAL = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };
const PURPOSE = 'по запросу Арбитражного суда г. Москвы, дело № А40-2/2026';

interface EngineRun {
  readonly engine: 'pglite' | 'postgres';
  databases?(): Promise<{ urls: Record<DemoParty, string>; drop(): Promise<void> }>;
}
const RUNS: readonly EngineRun[] = [
  { engine: 'pglite' },
  ...(TEST_DATABASE_URL
    ? [{ engine: 'postgres' as const, databases: () => throwawayDatabases(TEST_DATABASE_URL!, 'sj') }]
    : []),
];

const isReference = (s: string) => /^~[0-9a-f]{64}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(s);
const certOf = (jws: string) =>
  derBase64ToPem((JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as { x5c: string[] }).x5c[0]!);

for (const run of RUNS) {
  describe(
    `issue 16.4: JWSs stored with their headers by reference, on two nodes (${run.engine})`,
    { timeout: 600_000 },
    () => {
      let fed: RunningDemo & { dir: string; close(): Promise<void> };
      let dropDatabases: (() => Promise<void>) | null = null;
      let ruOfficer: Officer;
      let proceedingId: string;
      /** Message ids: sent alone (the first to warm up), and in bundles (the first bundle to warm up). */
      const alone: string[] = [];
      const bundled: string[][] = [];
      const ru = (): AppContext => fed.nodes.RU.wired.ctx;
      const kz = (): AppContext => fed.nodes.KZ.wired.ctx;

      async function send(n: number): Promise<string[]> {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) {
          const d = await draftRequest(ru(), ruOfficer, {
            proceedingId,
            requestedBody: KZ_CENTRAL,
            items: [{ kind: 'location', target: 'debtor' }],
            grounds: 'Должник проживает на территории Республики Казахстан.',
          });
          ids.push((await signRequest(ru(), ruOfficer, { requestId: d.id })).messageId);
        }
        await settle(fed);
        return ids;
      }

      before(async () => {
        const dbs = run.databases ? await run.databases() : null;
        dropDatabases = dbs?.drop ?? null;
        fed = await startTestFederation(dbs ? { databaseUrls: dbs.urls } : {});
        ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
        proceedingId = (
          await ru()
            .db.selectFrom('proceedings')
            .select('id')
            .where('number', '=', '123456/26/77001-ИП')
            .executeTakeFirstOrThrow()
        ).id;
        await fed.nodes.RU.worker!.stop();
        for (let k = 0; k < 2; k++) alone.push(...(await send(1)));
        for (let k = 0; k < 2; k++) bundled.push(await send(3));
      });
      after(async () => {
        await fed?.close();
        await dropDatabases?.();
      });

      /** What each node holds of a message: stored forms and originals. */
      async function held(messageId: string) {
        const out = await ru()
          .db.selectFrom('outbox')
          .select(['signed_enc', 'signed_sha256', 'receipt', 'status'])
          .where('message_id', '=', messageId)
          .executeTakeFirstOrThrow();
        const inb = await kz()
          .db.selectFrom('inbox')
          .select(['payload_enc', 'receipt'])
          .where('message_id', '=', messageId)
          .executeTakeFirstOrThrow();
        return {
          out,
          inb,
          sentStored: unsealedJws(ru(), out.signed_enc!, `outbox:${messageId}`),
          sent: await openSealedJws(ru(), out.signed_enc!, `outbox:${messageId}`),
          receivedStored: unsealedJws(kz(), inb.payload_enc!, `inbox:${messageId}`),
          received: await openSealedJws(kz(), inb.payload_enc!, `inbox:${messageId}`),
          outReceipt: out.receipt as { jws?: string; bundle?: string },
          inReceipt: inb.receipt as { jws?: string; bundle?: string; messageSha256: string },
        };
      }

      test('a signed message, sealed on both nodes, reads back as the bytes signed, sent and received', async () => {
        for (const id of [...alone, ...bundled.flat()]) {
          const h = await held(id);
          assert.equal(h.out.status, 'delivered');
          assert.ok(isReference(h.sentStored), 'RU keeps its signed message by header reference');
          assert.ok(isReference(h.receivedStored), 'KZ keeps the received message by header reference');
          assert.equal(h.sent, h.received, 'the same bytes on both nodes');
          assert.equal(sha256Hex(h.sent), h.out.signed_sha256, 'the hash RU kept at signing');
          assert.equal(sha256Hex(h.received), h.inReceipt.messageSha256, 'the hash KZ receipted');
          await verifiedPayload(h.sent, certOf(h.sent));
        }
      });

      test('receipts — alone and of a bundle, on both nodes — read back as signed; one header row per signer and type', async () => {
        const documents: string[] = [];
        for (const [k, id] of alone.entries()) {
          const h = await held(id);
          const sent = await originalJws(ru().db, h.outReceipt.jws!);
          const signed = await originalJws(kz().db, h.inReceipt.jws!);
          assert.equal(sent, signed, 'the receipt RU verified is the one KZ signed');
          await verifiedPayload(sent, certOf(sent));
          assert.ok(isReference(h.outReceipt.jws!), 'RU keeps the receipt by reference');
          // KZ signs inside the receiving transaction: the first receipt of its kind after a start is stored whole.
          if (k > 0) assert.ok(isReference(h.inReceipt.jws!), 'KZ keeps later receipts by reference');
          documents.push(h.sent, sent);
        }
        for (const [k, ids] of bundled.entries()) {
          const h = await held(ids[0]!);
          const at = async (ctx: AppContext, id: string) =>
            (await ctx.db.selectFrom('bundle_receipts').select('jws').where('id', '=', id).executeTakeFirstOrThrow())
              .jws;
          const [rus, kzs] = [await at(ru(), h.outReceipt.bundle!), await at(kz(), h.inReceipt.bundle!)];
          assert.ok(isReference(rus), 'RU keeps the bundle receipt by reference');
          if (k > 0) assert.ok(isReference(kzs), 'KZ keeps later bundle receipts by reference');
          const [a, b] = [await originalJws(ru().db, rus), await originalJws(kz().db, kzs)];
          assert.equal(a, b);
          await verifiedPayload(a, certOf(a));
          documents.push(a);
          for (const id of ids) documents.push((await held(id)).sent);
        }
        const headers = new Set(documents.map((d) => shareableHeader(d)));
        assert.equal(headers.size, 3, 'RU’s messages, KZ’s receipts, KZ’s bundle receipts');
        for (const ctx of [ru(), kz()]) {
          const rows = await ctx.db.selectFrom('jws_headers').select(['sha256', 'header']).execute();
          assert.deepEqual(new Set(rows.map((r) => r.header)), headers, 'each header once');
          for (const r of rows) assert.equal(r.sha256, sha256Hex(r.header));
        }
      });

      test('the wire is unchanged: the stored message resent gets the receipt KZ stored, byte for byte', async () => {
        const id = alone[1]!;
        const h = await held(id);
        const fedRu = fed.nodes.RU.wired.federation!;
        const url = fedRu.registry().parties.KZ!.nodes[0]!.url;
        const again = await postMessage(fedRu, { party: 'KZ', url }, h.sent);
        assert.equal(again, await originalJws(kz().db, h.inReceipt.jws!));
      });

      test('rows stored whole (before migration 029) still read: the evidence pack of such an exchange verifies on both nodes', async () => {
        const id = alone[1]!;
        const h = await held(id);
        const [outReceipt, inReceipt] = [
          await originalJws(ru().db, h.outReceipt.jws!),
          await originalJws(kz().db, h.inReceipt.jws!),
        ];
        // As a node before 029 left them: the sealed bytes and the receipts whole.
        await ru()
          .db.updateTable('outbox')
          .set({
            signed_enc: ru().sealer.encrypt(Buffer.from(h.sent), `outbox:${id}`),
            receipt: JSON.stringify({ ...h.outReceipt, jws: outReceipt }),
          })
          .where('message_id', '=', id)
          .execute();
        await kz()
          .db.updateTable('inbox')
          .set({
            payload_enc: kz().sealer.encrypt(Buffer.from(h.received), `inbox:${id}`),
            receipt: JSON.stringify({ ...h.inReceipt, jws: inReceipt }),
          })
          .where('message_id', '=', id)
          .execute();
        const whole = await held(id);
        assert.equal(whole.sentStored, h.sent);
        assert.equal(whole.sent, h.sent);
        assert.equal(whole.received, h.received);
        const depositaryPem = await readFile(path.join(fed.dir, 'pki', 'depositary.crt'), 'utf8');
        const kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
        const outgoing = await ru()
          .db.selectFrom('requests')
          .select(['id', 'number'])
          .where('message_id', '=', id)
          .executeTakeFirstOrThrow();
        const incoming = (await listRequests(kz(), kzOfficer, { direction: 'incoming' })).items.find(
          (i) => i.number === outgoing.number,
        )!.id;
        for (const [ctx, who, request, receipt] of [
          [ru(), ruOfficer, outgoing.id, outReceipt],
          [kz(), kzOfficer, incoming, inReceipt],
        ] as const) {
          const x = await exportEvidence(ctx, who, { request, purpose: PURPOSE });
          assert.deepEqual(x.problems, []);
          const v = await verifyEvidence({ pack: x.pack, depositaryPem });
          assert.equal(v.ok, true, JSON.stringify(v.problems));
          const zip = await JSZip.loadAsync(x.pack);
          const texts = await Promise.all(
            Object.values(zip.files)
              .filter((f) => f.name.endsWith('.jws'))
              .map((f) => f.async('string')),
          );
          assert.ok(texts.includes(h.sent), 'the message, as signed');
          assert.ok(texts.includes(receipt), 'its receipt, as signed');
          assert.ok(!texts.some((t) => t.startsWith('~')), 'never a stored form');
        }
      });
    },
  );
}
